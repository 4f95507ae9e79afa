//! What of a register item leaves the server (public pages, API, feeds, downloads): the privacy
//! boundary of the register, like `views` is for requests. (Being written.)
