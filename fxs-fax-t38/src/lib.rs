//! fxs-fax-t38 (work in progress)
