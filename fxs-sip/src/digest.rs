//! HTTP digest authentication for SIP (RFC 2617, RFC 7616, RFC 8760).
