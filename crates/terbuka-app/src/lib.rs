//! terbuka-app
