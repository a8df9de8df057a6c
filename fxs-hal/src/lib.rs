//! fxs-hal (work in progress)
