//! Building messages: responses to requests (RFC 3261 §8.2.6).

use super::types::*;

impl Response {
    /// Build a response to `req` per RFC 3261 §8.2.6: copies the Via
    /// headers (in order), From, To, Call-ID and CSeq; adds the To-tag
    /// `to_tag` if given and To has none (§8.2.6.2). The reason phrase is
    /// [`StatusCode::default_reason`]; the body is empty.
    pub fn for_request(req: &Request, status: StatusCode, to_tag: Option<&str>) -> Response {
        let mut headers = Headers::new();
        for h in req.headers.iter() {
            match h {
                Header::Via(_) | Header::From(_) | Header::CallId(_) | Header::CSeq(_) => {
                    headers.push(h.clone())
                }
                Header::To(to) => {
                    let mut to = to.clone();
                    if let Some(tag) = to_tag
                        && to.tag().is_none()
                    {
                        to.set_tag(tag);
                    }
                    headers.push(Header::To(to));
                }
                _ => {}
            }
        }
        Response {
            status,
            reason: status.default_reason().to_owned(),
            headers,
            body: Vec::new(),
        }
    }
}

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: Method, uri: Uri) -> Request {
        Request {
            method,
            uri,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }
}
