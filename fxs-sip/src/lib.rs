//! fxs-sip (work in progress)
