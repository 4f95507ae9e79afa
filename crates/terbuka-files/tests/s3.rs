//! S3 blob storage against a real S3-compatible server: moto's standalone server, started by the
//! test on a free loopback port. Needs `python3 -m pip install 'moto[server]'`; without it the test
//! FAILS (it is never skipped).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use terbuka_files::{BlobConfig, BlobError, Blobs};

const INSTALL_HINT: &str = "the S3 test needs moto's server: python3 -m pip install 'moto[server]'";

/// The moto server process; killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Moto {
    let check = Command::new("python3").args(["-c", "import moto.server, flask, flask_cors"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    match check {
        Ok(status) if status.success() => {}
        Ok(_) => panic!("moto is not installed: {INSTALL_HINT}"),
        Err(e) => panic!("python3 cannot be run ({e}): {INSTALL_HINT}"),
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("python3")
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start moto ({e}): {INSTALL_HINT}"));
    let mut moto = Moto { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return moto;
        }
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!("moto server exited early ({status}): {INSTALL_HINT}");
        }
        assert!(Instant::now() < deadline, "moto server did not listen on port {port} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// object_store cannot create buckets: a raw `PUT /bucket` (moto accepts unsigned requests).
fn create_bucket(port: u16, bucket: &str) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status_line = response.lines().next().unwrap_or("");
    assert!(status_line.contains(" 200"), "bucket creation failed: {response}");
}

fn config(port: u16, bucket: &str) -> BlobConfig {
    BlobConfig::S3 {
        bucket: bucket.into(),
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: "us-east-1".into(),
        access_key_id: "testing-key-id".into(),
        secret_access_key: "testing-secret-key".into(),
        allow_http: true,
    }
}

#[tokio::test]
async fn s3_round_trip_against_moto() {
    let moto = start_moto();
    create_bucket(moto.port, "dip-bucket");
    let blobs = Blobs::new(&config(moto.port, "dip-bucket")).unwrap();

    let describe = blobs.describe();
    assert_eq!(describe, format!("s3 bucket dip-bucket at http://127.0.0.1:{}", moto.port));
    assert!(!describe.contains("testing-secret") && !describe.contains("testing-key"));

    // Round trip, with a body large enough to matter.
    let key = "dip/42/7/v3-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    blobs.put(key, data.clone()).await.unwrap();
    assert_eq!(blobs.get(key).await.unwrap(), data);

    // Overwrite.
    blobs.put(key, b"versi baru".to_vec()).await.unwrap();
    assert_eq!(blobs.get(key).await.unwrap(), b"versi baru");

    // Not found is distinguishable.
    match blobs.get("dip/42/7/v9-missing").await {
        Err(BlobError::NotFound { key }) => assert_eq!(key, "dip/42/7/v9-missing"),
        other => panic!("expected NotFound, got {other:?}"),
    }

    // Delete, then gone; deleting again is fine.
    blobs.delete(key).await.unwrap();
    assert!(matches!(blobs.get(key).await, Err(BlobError::NotFound { .. })));
    blobs.delete(key).await.unwrap();

    // Bad keys never reach the server.
    assert!(matches!(blobs.put("../x", b"x".to_vec()).await, Err(BlobError::BadKey { .. })));

    // A bucket that does not exist is an error, not NotFound-for-the-key confusion on put.
    let missing = Blobs::new(&config(moto.port, "no-such-bucket")).unwrap();
    assert!(missing.put("a/b", b"x".to_vec()).await.is_err());
}
