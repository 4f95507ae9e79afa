//! terbuka-web
