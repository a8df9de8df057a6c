//! fxs-tones (work in progress)
