//! terbuka-store
