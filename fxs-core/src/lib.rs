//! fxs-core (work in progress)
