//! RFC 3261 §17 transactions over UDP, with the RFC 6026 Accepted states.
//!
//! [`Transactions`] is the transaction layer of one user agent. It owns every
//! client and server transaction, matches incoming messages to them
//! (§17.1.3, §17.2.3), runs their retransmission and timeout timers and tells
//! the transaction user (the UA core in `crate::ua`) what it must see through
//! [`TxEvent`]s. Like the rest of the crate it does no I/O: whatever must be
//! sent is appended to a caller-owned queue of [`Transmit`]s.
//!
//! Client and server transactions live in separate tables: a gateway that
//! calls itself through a proxy, or sends in-dialog requests to its own
//! socket, holds a client and a server transaction with the same branch.

mod client;
mod server;
mod timer;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::message::{Host, Method, Request, Response};
use crate::ua::Transmit;

use client::{ClientOutcome, ClientState, ClientTransaction, build_cancel};
use server::{ServerOutcome, ServerState, ServerTransaction};
pub(crate) use timer::TimerQueue;

/// The RFC 3261 magic cookie every RFC 3261 branch starts with (§8.1.1.7).
pub(crate) const MAGIC_COOKIE: &str = "z9hG4bK";

/// The base timer values the transactions derive every timer from
/// (RFC 3261 §17, Table 4; spec/sip.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimerConfig {
    /// RTT estimate, 500 ms by default.
    pub(crate) t1: Duration,
    /// Retransmit cap for non-INVITE requests and INVITE responses, 4 s.
    pub(crate) t2: Duration,
    /// Maximum lifetime of a message in the network, 5 s.
    pub(crate) t4: Duration,
    /// Timer D: "at least 32 s" over UDP; here max(32 s, 64·T1).
    pub(crate) timer_d: Duration,
}

impl TimerConfig {
    /// Timers from T1, T2 and T4.
    pub(crate) fn new(t1: Duration, t2: Duration, t4: Duration) -> TimerConfig {
        TimerConfig {
            t1,
            t2,
            t4,
            timer_d: Duration::from_secs(32).max(t1 * 64),
        }
    }
}

/// Handle of one transaction (client or server; they share the number space).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TxId(u64);

/// Client transaction key (RFC 3261 §17.1.3): top Via branch + CSeq method.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ClientKey {
    branch: String,
    method: Method,
}

/// Server transaction key (RFC 3261 §17.2.3): top Via branch + sent-by +
/// method, with ACK counted as INVITE. For RFC 2543 requests (no magic
/// cookie) the branch is replaced by Call-ID, From tag, CSeq number and
/// Request-URI, which an RFC 2543 ACK for a non-2xx shares with its INVITE.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ServerKey {
    branch: String,
    host: Host,
    port: Option<u16>,
    method: Method,
}

impl ServerKey {
    fn of(request: &Request, method: Method) -> Option<ServerKey> {
        let via = request.headers.top_via()?;
        let branch = match via.branch() {
            Some(b) if b.starts_with(MAGIC_COOKIE) && b.len() > MAGIC_COOKIE.len() => b.to_owned(),
            _ => format!(
                "rfc2543;{};{};{};{}",
                request.headers.call_id().unwrap_or(""),
                request.headers.from().and_then(|f| f.tag()).unwrap_or(""),
                request.headers.cseq().map(|c| c.seq).unwrap_or(0),
                request.uri
            ),
        };
        let host = match &via.host {
            Host::Domain(d) => Host::Domain(d.to_ascii_lowercase()),
            other => other.clone(),
        };
        Some(ServerKey {
            branch,
            host,
            port: via.port,
            method,
        })
    }
}

/// What the transaction layer tells its user.
#[derive(Debug)]
pub(crate) enum TxEvent {
    /// A response for the TU from client transaction `tx`: provisional,
    /// final, or (INVITE, Accepted state) a retransmitted or forked 2xx.
    Response {
        /// The client transaction.
        tx: TxId,
        /// The response.
        response: Response,
    },
    /// Client transaction `tx` got no final response (Timer B or F).
    Timeout(TxId),
    /// Client transaction `tx` is gone; its responses no longer arrive.
    ClientTerminated(TxId),
}

/// How an incoming request was taken by the layer.
#[derive(Debug)]
pub(crate) enum IncomingRequest {
    /// A new request; server transaction `tx` was created (for an INVITE it
    /// already sent 100 Trying). The TU answers through [`Transactions::respond`].
    New {
        /// The new server transaction.
        tx: TxId,
        /// The request.
        request: Request,
    },
    /// A new CANCEL with its own server transaction `tx`, and the INVITE
    /// server transaction it cancels, if one matches (RFC 3261 §9.2).
    Cancel {
        /// The CANCEL's server transaction.
        tx: TxId,
        /// The INVITE server transaction with the same branch and sent-by.
        invite: Option<TxId>,
        /// The CANCEL.
        request: Request,
    },
    /// An ACK no server transaction absorbs: the ACK of a 2xx, for the dialog.
    Ack(Request),
    /// A retransmission, handled by its transaction.
    Absorbed,
}

/// The transaction layer of one user agent.
#[derive(Debug)]
pub(crate) struct Transactions {
    cfg: TimerConfig,
    next_id: u64,
    clients: HashMap<TxId, (ClientKey, ClientTransaction)>,
    client_index: HashMap<ClientKey, TxId>,
    servers: HashMap<TxId, (ServerKey, ServerTransaction)>,
    server_index: HashMap<ServerKey, TxId>,
    queue: TimerQueue<TxId>,
    events: VecDeque<TxEvent>,
}

impl Transactions {
    /// An empty layer.
    pub(crate) fn new(cfg: TimerConfig) -> Transactions {
        Transactions {
            cfg,
            next_id: 1,
            clients: HashMap::new(),
            client_index: HashMap::new(),
            servers: HashMap::new(),
            server_index: HashMap::new(),
            queue: TimerQueue::default(),
            events: VecDeque::new(),
        }
    }

    fn allocate(&mut self) -> TxId {
        let id = TxId(self.next_id);
        self.next_id += 1;
        id
    }

    /// Start a client transaction for `request` (not ACK) and send it.
    /// The request's top Via must carry the branch the caller generated.
    pub(crate) fn send(
        &mut self,
        now: Instant,
        request: Request,
        destination: SocketAddr,
        out: &mut VecDeque<Transmit>,
    ) -> TxId {
        let id = self.allocate();
        let key = ClientKey {
            branch: request
                .headers
                .top_via()
                .and_then(|v| v.branch())
                .unwrap_or("")
                .to_owned(),
            method: request.method.clone(),
        };
        let tx = ClientTransaction::start(now, request, destination, &self.cfg, out);
        self.client_index.insert(key.clone(), id);
        self.clients.insert(id, (key, tx));
        self.reschedule(id);
        id
    }

    /// Send a CANCEL for the INVITE of client transaction `invite`
    /// (RFC 3261 §9.1): same Request-URI, Call-ID, From, To, CSeq number,
    /// top Via and Route headers. Returns the CANCEL's own client
    /// transaction, or `None` when `invite` is no pending INVITE.
    pub(crate) fn cancel(
        &mut self,
        now: Instant,
        invite: TxId,
        out: &mut VecDeque<Transmit>,
    ) -> Option<TxId> {
        let (_, tx) = self.clients.get(&invite)?;
        if tx.request.method != Method::Invite
            || !matches!(tx.state, ClientState::Calling | ClientState::Proceeding)
        {
            return None;
        }
        let cancel = build_cancel(&tx.request);
        let destination = tx.destination;
        Some(self.send(now, cancel, destination, out))
    }

    /// Stop client transaction `tx` without waiting for its timers (the TU
    /// gave up on it, RFC 3261 §9.1 after 64·T1 without a final response).
    pub(crate) fn abandon_client(&mut self, tx: TxId) {
        if let Some((key, _)) = self.clients.remove(&tx) {
            self.client_index.remove(&key);
            self.queue.set(tx, None);
        }
    }

    /// The request a client transaction sent.
    pub(crate) fn client_request(&self, tx: TxId) -> Option<&Request> {
        self.clients.get(&tx).map(|(_, t)| &t.request)
    }

    /// A response arrived from the network: match it (RFC 3261 §17.1.3) and
    /// let its transaction act. Unmatched responses are dropped.
    pub(crate) fn on_response(&mut self, now: Instant, response: Response, out: &mut VecDeque<Transmit>) {
        let Some(branch) = response.headers.top_via().and_then(|v| v.branch()) else {
            return;
        };
        let Some(cseq) = response.headers.cseq() else {
            return;
        };
        let key = ClientKey {
            branch: branch.to_owned(),
            method: cseq.method.clone(),
        };
        let Some(&id) = self.client_index.get(&key) else {
            return;
        };
        let Some((_, tx)) = self.clients.get_mut(&id) else {
            return;
        };
        if tx.on_response(now, &response, &self.cfg, out) == ClientOutcome::Deliver {
            self.events.push_back(TxEvent::Response { tx: id, response });
        }
        self.reschedule(id);
    }

    /// A request arrived from `source`; responses to it go to `destination`.
    /// Match it to a server transaction (RFC 3261 §17.2.3) or create one.
    pub(crate) fn on_request(
        &mut self,
        now: Instant,
        request: Request,
        destination: SocketAddr,
        out: &mut VecDeque<Transmit>,
    ) -> IncomingRequest {
        let is_ack = request.method == Method::Ack;
        let method = if is_ack {
            Method::Invite
        } else {
            request.method.clone()
        };
        let Some(key) = ServerKey::of(&request, method) else {
            // The parser guarantees a Via; without one there is nowhere to
            // answer, so there is nothing to do.
            return IncomingRequest::Absorbed;
        };
        if let Some(&id) = self.server_index.get(&key) {
            let outcome = match self.servers.get_mut(&id) {
                Some((_, tx)) => tx.on_request(now, is_ack, &self.cfg, out),
                None => ServerOutcome::Absorbed,
            };
            self.reschedule(id);
            return match outcome {
                ServerOutcome::Absorbed => IncomingRequest::Absorbed,
                ServerOutcome::AckToTu => IncomingRequest::Ack(request),
            };
        }
        if is_ack {
            return IncomingRequest::Ack(request);
        }
        let invite = if request.method == Method::Cancel {
            ServerKey::of(&request, Method::Invite).and_then(|k| self.server_index.get(&k).copied())
        } else {
            None
        };
        let id = self.allocate();
        let tx = ServerTransaction::start(&request, destination, &self.cfg, out);
        self.server_index.insert(key.clone(), id);
        self.servers.insert(id, (key, tx));
        self.reschedule(id);
        if request.method == Method::Cancel {
            IncomingRequest::Cancel {
                tx: id,
                invite,
                request,
            }
        } else {
            IncomingRequest::New { tx: id, request }
        }
    }

    /// Send `response` through server transaction `tx`. Returns the bytes
    /// sent and their destination (the TU keeps them to retransmit a 2xx),
    /// or `None` if the transaction is gone or already answered finally.
    pub(crate) fn respond(
        &mut self,
        now: Instant,
        tx: TxId,
        response: &Response,
        out: &mut VecDeque<Transmit>,
    ) -> Option<(Vec<u8>, SocketAddr)> {
        let (_, t) = self.servers.get_mut(&tx)?;
        if !t.accepts_response() {
            return None;
        }
        let wire = response.to_bytes();
        let sent = t
            .respond(now, response, wire.clone(), &self.cfg, out)
            .then_some((wire, t.destination));
        self.reschedule(tx);
        sent
    }

    /// Fire every timer due at `now`.
    pub(crate) fn handle_timeout(&mut self, now: Instant, out: &mut VecDeque<Transmit>) {
        while let Some(id) = self.queue.pop_due(now) {
            if let Some((_, tx)) = self.clients.get_mut(&id) {
                if tx.handle_timeout(now, &self.cfg, out) == ClientOutcome::Timeout {
                    self.events.push_back(TxEvent::Timeout(id));
                }
            } else if let Some((_, tx)) = self.servers.get_mut(&id) {
                tx.handle_timeout(now, &self.cfg, out);
            }
            self.reschedule(id);
        }
    }

    /// The next event for the TU.
    pub(crate) fn poll_event(&mut self) -> Option<TxEvent> {
        self.events.pop_front()
    }

    /// The earliest deadline of all transactions.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.queue.next_deadline()
    }

    /// True while some transaction still waits for a final response or for
    /// the TU to send one. Transactions that only absorb retransmissions
    /// (Completed, Confirmed, Accepted) do not count.
    pub(crate) fn is_busy(&self) -> bool {
        self.clients.values().any(|(_, t)| {
            matches!(
                t.state,
                ClientState::Calling | ClientState::Trying | ClientState::Proceeding
            )
        }) || self
            .servers
            .values()
            .any(|(_, t)| matches!(t.state, ServerState::Trying | ServerState::Proceeding))
    }

    /// Number of live transactions (client + server).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.clients.len() + self.servers.len()
    }

    /// Re-arm `id` in the queue, or remove it if it terminated.
    fn reschedule(&mut self, id: TxId) {
        if let Some((key, tx)) = self.clients.get(&id) {
            if tx.state == ClientState::Terminated {
                let key = key.clone();
                self.clients.remove(&id);
                self.client_index.remove(&key);
                self.queue.set(id, None);
                self.events.push_back(TxEvent::ClientTerminated(id));
            } else {
                self.queue.set(id, tx.timers.next_timeout());
            }
        } else if let Some((key, tx)) = self.servers.get(&id) {
            if tx.state == ServerState::Terminated {
                let key = key.clone();
                self.servers.remove(&id);
                self.server_index.remove(&key);
                self.queue.set(id, None);
            } else {
                self.queue.set(id, tx.timers.next_timeout());
            }
        } else {
            self.queue.set(id, None);
        }
    }
}

#[cfg(test)]
mod tests;
