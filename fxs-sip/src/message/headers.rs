//! Typed access to an ordered [`Headers`] list.

use super::types::{
    CSeq, Challenge, Contact, Credentials, DeltaSeconds, Header, Headers, InfoUri, MediaType, NameAddr, RAck,
    Reason, Replaces, TokenParams, Via,
};

impl Headers {
    /// An empty list.
    pub fn new() -> Headers {
        Headers(Vec::new())
    }

    /// Append a header at the end.
    pub fn push(&mut self, h: Header) {
        self.0.push(h);
    }

    /// All headers in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }

    /// Number of header entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All Via values, top first.
    pub fn vias(&self) -> impl Iterator<Item = &Via> {
        self.0.iter().filter_map(|h| match h {
            Header::Via(v) => Some(v),
            _ => None,
        })
    }

    /// The topmost Via.
    pub fn top_via(&self) -> Option<&Via> {
        self.vias().next()
    }

    /// The topmost Via, mutable (to add `received`/`rport`).
    pub fn top_via_mut(&mut self) -> Option<&mut Via> {
        self.0.iter_mut().find_map(|h| match h {
            Header::Via(v) => Some(v),
            _ => None,
        })
    }

    /// Remove and return the topmost Via.
    pub fn remove_top_via(&mut self) -> Option<Via> {
        let idx = self.0.iter().position(|h| matches!(h, Header::Via(_)))?;
        match self.0.remove(idx) {
            Header::Via(v) => Some(v),
            _ => None,
        }
    }

    /// Insert a Via before the first Via (or at the front if there is none).
    pub fn push_top_via(&mut self, v: Via) {
        let idx = self
            .0
            .iter()
            .position(|h| matches!(h, Header::Via(_)))
            .unwrap_or(0);
        self.0.insert(idx, Header::Via(v));
    }

    /// The From address.
    pub fn from(&self) -> Option<&NameAddr> {
        self.0.iter().find_map(|h| match h {
            Header::From(a) => Some(a),
            _ => None,
        })
    }

    /// The To address.
    pub fn to(&self) -> Option<&NameAddr> {
        self.0.iter().find_map(|h| match h {
            Header::To(a) => Some(a),
            _ => None,
        })
    }

    /// The To address, mutable (to add a tag).
    pub fn to_mut(&mut self) -> Option<&mut NameAddr> {
        self.0.iter_mut().find_map(|h| match h {
            Header::To(a) => Some(a),
            _ => None,
        })
    }

    /// The Call-ID.
    pub fn call_id(&self) -> Option<&str> {
        self.0.iter().find_map(|h| match h {
            Header::CallId(c) => Some(c.as_str()),
            _ => None,
        })
    }

    /// The CSeq.
    pub fn cseq(&self) -> Option<&CSeq> {
        self.0.iter().find_map(|h| match h {
            Header::CSeq(c) => Some(c),
            _ => None,
        })
    }

    /// First address of the first Contact line with addresses.
    pub fn contact(&self) -> Option<&NameAddr> {
        self.0.iter().find_map(|h| match h {
            Header::Contact(Contact::Addresses(a)) => a.first(),
            _ => None,
        })
    }

    /// All Contact addresses of all lines, in order (`*` skipped).
    pub fn contacts(&self) -> impl Iterator<Item = &NameAddr> {
        self.0.iter().flat_map(|h| match h {
            Header::Contact(Contact::Addresses(a)) => a.as_slice(),
            _ => &[],
        })
    }

    /// Expires, in seconds.
    pub fn expires(&self) -> Option<u32> {
        self.0.iter().find_map(|h| match h {
            Header::Expires(e) => Some(*e),
            _ => None,
        })
    }

    /// Min-Expires, in seconds.
    pub fn min_expires(&self) -> Option<u32> {
        self.0.iter().find_map(|h| match h {
            Header::MinExpires(e) => Some(*e),
            _ => None,
        })
    }

    /// Max-Forwards.
    pub fn max_forwards(&self) -> Option<u32> {
        self.0.iter().find_map(|h| match h {
            Header::MaxForwards(e) => Some(*e),
            _ => None,
        })
    }

    /// Content-Type.
    pub fn content_type(&self) -> Option<&MediaType> {
        self.0.iter().find_map(|h| match h {
            Header::ContentType(t) => Some(t),
            _ => None,
        })
    }

    /// All Route addresses in order, over every Route line.
    pub fn routes(&self) -> impl Iterator<Item = &NameAddr> {
        self.0.iter().flat_map(|h| match h {
            Header::Route(r) => r.as_slice(),
            _ => &[],
        })
    }

    /// All Record-Route addresses in order, over every Record-Route line.
    pub fn record_routes(&self) -> impl Iterator<Item = &NameAddr> {
        self.0.iter().flat_map(|h| match h {
            Header::RecordRoute(r) => r.as_slice(),
            _ => &[],
        })
    }

    /// Every Digest challenge in WWW-Authenticate headers, in order.
    pub fn www_authenticate(&self) -> impl Iterator<Item = &Challenge> {
        self.0.iter().filter_map(|h| match h {
            Header::WwwAuthenticate(c) => Some(c),
            _ => None,
        })
    }

    /// Every Digest challenge in Proxy-Authenticate headers, in order.
    pub fn proxy_authenticate(&self) -> impl Iterator<Item = &Challenge> {
        self.0.iter().filter_map(|h| match h {
            Header::ProxyAuthenticate(c) => Some(c),
            _ => None,
        })
    }

    /// The first Digest Authorization.
    pub fn authorization(&self) -> Option<&Credentials> {
        self.0.iter().find_map(|h| match h {
            Header::Authorization(c) => Some(c),
            _ => None,
        })
    }

    /// The first Digest Proxy-Authorization.
    pub fn proxy_authorization(&self) -> Option<&Credentials> {
        self.0.iter().find_map(|h| match h {
            Header::ProxyAuthorization(c) => Some(c),
            _ => None,
        })
    }

    /// Every option tag of every Require line.
    pub fn require(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .flat_map(|h| match h {
                Header::Require(t) => t.as_slice(),
                _ => &[],
            })
            .map(String::as_str)
    }

    /// Every option tag of every Supported line.
    pub fn supported(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .flat_map(|h| match h {
                Header::Supported(t) => t.as_slice(),
                _ => &[],
            })
            .map(String::as_str)
    }

    /// Every option tag of every Unsupported line.
    pub fn unsupported(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .flat_map(|h| match h {
                Header::Unsupported(t) => t.as_slice(),
                _ => &[],
            })
            .map(String::as_str)
    }

    /// Event (RFC 6665).
    pub fn event(&self) -> Option<&TokenParams> {
        self.0.iter().find_map(|h| match h {
            Header::Event(e) => Some(e),
            _ => None,
        })
    }

    /// Subscription-State (RFC 6665).
    pub fn subscription_state(&self) -> Option<&TokenParams> {
        self.0.iter().find_map(|h| match h {
            Header::SubscriptionState(e) => Some(e),
            _ => None,
        })
    }

    /// Refer-To (RFC 3515).
    pub fn refer_to(&self) -> Option<&NameAddr> {
        self.0.iter().find_map(|h| match h {
            Header::ReferTo(a) => Some(a),
            _ => None,
        })
    }

    /// Referred-By (RFC 3892).
    pub fn referred_by(&self) -> Option<&NameAddr> {
        self.0.iter().find_map(|h| match h {
            Header::ReferredBy(a) => Some(a),
            _ => None,
        })
    }

    /// Replaces (RFC 3891).
    pub fn replaces(&self) -> Option<&Replaces> {
        self.0.iter().find_map(|h| match h {
            Header::Replaces(r) => Some(r),
            _ => None,
        })
    }

    /// Every Alert-Info element, in order over every line.
    pub fn alert_info(&self) -> impl Iterator<Item = &InfoUri> {
        self.0.iter().flat_map(|h| match h {
            Header::AlertInfo(i) => i.as_slice(),
            _ => &[],
        })
    }

    /// Every Call-Info element, in order over every line.
    pub fn call_info(&self) -> impl Iterator<Item = &InfoUri> {
        self.0.iter().flat_map(|h| match h {
            Header::CallInfo(i) => i.as_slice(),
            _ => &[],
        })
    }

    /// Session-Expires (RFC 4028).
    pub fn session_expires(&self) -> Option<&DeltaSeconds> {
        self.0.iter().find_map(|h| match h {
            Header::SessionExpires(d) => Some(d),
            _ => None,
        })
    }

    /// Min-SE (RFC 4028).
    pub fn min_se(&self) -> Option<&DeltaSeconds> {
        self.0.iter().find_map(|h| match h {
            Header::MinSe(d) => Some(d),
            _ => None,
        })
    }

    /// Retry-After.
    pub fn retry_after(&self) -> Option<&DeltaSeconds> {
        self.0.iter().find_map(|h| match h {
            Header::RetryAfter(d) => Some(d),
            _ => None,
        })
    }

    /// RSeq (RFC 3262).
    pub fn rseq(&self) -> Option<u32> {
        self.0.iter().find_map(|h| match h {
            Header::RSeq(n) => Some(*n),
            _ => None,
        })
    }

    /// RAck (RFC 3262).
    pub fn rack(&self) -> Option<&RAck> {
        self.0.iter().find_map(|h| match h {
            Header::RAck(r) => Some(r),
            _ => None,
        })
    }

    /// Every P-Asserted-Identity address, in order (RFC 3325).
    pub fn p_asserted_identity(&self) -> impl Iterator<Item = &NameAddr> {
        self.0.iter().flat_map(|h| match h {
            Header::PAssertedIdentity(a) => a.as_slice(),
            _ => &[],
        })
    }

    /// Every Privacy value (RFC 3323), in order.
    pub fn privacy(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .flat_map(|h| match h {
                Header::Privacy(p) => p.as_slice(),
                _ => &[],
            })
            .map(String::as_str)
    }

    /// Every Reason value (RFC 3326), in order.
    pub fn reasons(&self) -> impl Iterator<Item = &Reason> {
        self.0.iter().flat_map(|h| match h {
            Header::Reason(r) => r.as_slice(),
            _ => &[],
        })
    }

    /// Value of the first [`Header::Other`] with this name (case-insensitive).
    pub fn other(&self, name: &str) -> Option<&str> {
        self.0.iter().find_map(|h| match h {
            Header::Other { name: n, value } if n.eq_ignore_ascii_case(name) => Some(value.as_str()),
            _ => None,
        })
    }

    /// Values of every [`Header::Other`] with this name (case-insensitive).
    pub fn others<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter_map(move |h| match h {
            Header::Other { name: n, value } if n.eq_ignore_ascii_case(name) => Some(value.as_str()),
            _ => None,
        })
    }

    /// Remove every header whose [`Header::name`] equals `name`
    /// (case-insensitive).
    pub fn remove_all(&mut self, name: &str) {
        self.0.retain(|h| !h.name().eq_ignore_ascii_case(name));
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<T: IntoIterator<Item = Header>>(iter: T) -> Self {
        Headers(iter.into_iter().collect())
    }
}
