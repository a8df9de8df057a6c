//! fxs-media (work in progress)
