//! Local-folder blob storage.

use std::sync::Arc;

use terbuka_files::{BlobConfig, BlobError, Blobs};

fn local() -> (tempfile::TempDir, Blobs, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("nested/blobs");
    let blobs = Blobs::new(&BlobConfig::Local { root: root.clone() }).unwrap();
    (dir, blobs, root)
}

#[tokio::test]
async fn round_trip_creates_folder_and_file() {
    let (_dir, blobs, root) = local();
    assert!(root.is_dir(), "Blobs::new creates the folder");
    let key = "dip/42/7/v3-0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let data: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    blobs.put(key, data.clone()).await.unwrap();
    assert_eq!(blobs.get(key).await.unwrap(), data);
    // The object is a plain file under the root, and no staging file is left behind.
    assert_eq!(std::fs::read(root.join(key)).unwrap(), data);
    let names: Vec<_> = std::fs::read_dir(root.join("dip/42/7")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(blobs.describe().starts_with("local folder "));
    assert!(blobs.describe().contains("nested/blobs"));
}

#[tokio::test]
async fn empty_blob() {
    let (_dir, blobs, _) = local();
    blobs.put("a/empty", Vec::new()).await.unwrap();
    assert_eq!(blobs.get("a/empty").await.unwrap(), Vec::<u8>::new());
}

#[tokio::test]
async fn not_found_and_delete() {
    let (_dir, blobs, root) = local();
    match blobs.get("dip/1/1/v1-missing").await {
        Err(BlobError::NotFound { key }) => assert_eq!(key, "dip/1/1/v1-missing"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    blobs.put("dip/1/1/v1-x", b"isi".to_vec()).await.unwrap();
    blobs.delete("dip/1/1/v1-x").await.unwrap();
    assert!(matches!(blobs.get("dip/1/1/v1-x").await, Err(BlobError::NotFound { .. })));
    assert!(!root.join("dip/1/1/v1-x").exists());
    // Deleting again (or something never stored) is fine.
    blobs.delete("dip/1/1/v1-x").await.unwrap();
    blobs.delete("never/stored").await.unwrap();
}

#[tokio::test]
async fn overwrite_replaces_content() {
    let (_dir, blobs, _) = local();
    blobs.put("dip/9/1/v1-a", vec![1; 10_000]).await.unwrap();
    blobs.put("dip/9/1/v1-a", b"short".to_vec()).await.unwrap();
    assert_eq!(blobs.get("dip/9/1/v1-a").await.unwrap(), b"short");
}

#[tokio::test]
async fn bad_keys_are_rejected_everywhere() {
    let (dir, blobs, _) = local();
    for key in ["", "/etc/passwd", "../escape", "dip/../../x", "dip//1", "dip/1/", "dip/./1", "dip/spasi kunci", "dip\\1"] {
        assert!(matches!(blobs.put(key, b"x".to_vec()).await, Err(BlobError::BadKey { .. })), "put {key:?}");
        assert!(matches!(blobs.get(key).await, Err(BlobError::BadKey { .. })), "get {key:?}");
        assert!(matches!(blobs.delete(key).await, Err(BlobError::BadKey { .. })), "delete {key:?}");
    }
    assert!(!dir.path().join("escape").exists());
    assert!(!dir.path().join("nested/escape").exists());
}

/// Concurrent writers and readers of one key: a reader sees one complete version, never a mix
/// or a truncated file (LocalFileSystem writes a temporary file then renames it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_atomic() {
    let (_dir, blobs, _) = local();
    let key = "dip/5/5/v1-atomic";
    let versions: Arc<Vec<Vec<u8>>> = Arc::new((0..4u8).map(|v| vec![v; 2 * 1024 * 1024]).collect());
    blobs.put(key, versions[0].clone()).await.unwrap();
    let mut tasks = Vec::new();
    for round in 0..8 {
        let (b, vs) = (blobs.clone(), versions.clone());
        tasks.push(tokio::spawn(async move { b.put(key, vs[round % vs.len()].clone()).await.unwrap() }));
        let (b, vs) = (blobs.clone(), versions.clone());
        tasks.push(tokio::spawn(async move {
            let got = b.get(key).await.unwrap();
            assert!(vs.contains(&got), "torn read of {} bytes", got.len());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[test]
fn local_root_that_is_a_file_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    assert!(matches!(Blobs::new(&BlobConfig::Local { root: file }), Err(BlobError::Config(_))));
}
