//! Several app nodes on one PostgreSQL database: registration numbers stay unique and gap-free,
//! the audit chain stays one chain, every node sees every change, and jobs running on two nodes
//! at once never duplicate work.

use crate::util::*;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use std::collections::HashSet;
use terbuka_domain::validate::RawRequest;

fn raw(i: usize) -> RawRequest {
    RawRequest {
        requester_kind: Some("individual".into()),
        name: Some(format!("Pemohon {i}")),
        id_number: Some(format!("31710145019{:05}", i)),
        address: Some("Jl. Medan Merdeka Selatan 8, Jakarta".into()),
        email: Some(format!("p{i}@example.com")),
        subject: Some(format!("Data banjir kelurahan nomor {i}")),
        details: Some("Data genangan per RW selama musim hujan 2025.".into()),
        purpose: Some("Penelitian".into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn two_nodes_share_one_postgres_database() {
    let t = TestApp::postgres().await;
    let (app2, router2) = t.node();
    let apps = [t.app.clone(), app2.clone()];

    // 24 citizens submit at once, half through each node.
    let mut tasks = Vec::new();
    for i in 0..24 {
        let app = apps[i % 2].clone();
        tasks.push(tokio::spawn(async move { app.submit_request(&raw(i), None, Utc::now()).await.map(|s| s.request.reg_no) }));
    }
    let mut numbers = HashSet::new();
    for task in tasks {
        numbers.insert(task.await.unwrap().expect("submission succeeds on either node"));
    }
    assert_eq!(numbers.len(), 24, "no registration number is given twice");
    let mut seqs: Vec<i64> = numbers.iter().map(|n| terbuka_domain::parse_registration_number(n).unwrap().2).collect();
    seqs.sort();
    assert_eq!(seqs, (1..=24).collect::<Vec<i64>>(), "numbers are gap-free");
    let head = t.app.verify_audit().await.unwrap().expect("one intact chain across nodes");
    assert!(head.count >= 24);

    // A change made on node 1 is what node 2 serves.
    let first = t.app.store.request_by_reg_no(numbers.iter().min().unwrap()).await.unwrap().unwrap();
    t.app.route(&t.org.utama, first.id, t.org.health, Utc::now()).await.unwrap();
    let mut c2 = terbuka_web_client(router2);
    let page = c2.get(&format!("/register/{}", first.reg_no)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Dinas Kesehatan"), "node 2 shows node 1's routing");

    // The same stale write from both nodes: exactly one wins.
    let r1 = t.app.store.request(first.id).await.unwrap().unwrap();
    let reason = Some("Dokumen berada di arsip kecamatan.".to_string());
    let (a, b) = tokio::join!(t.app.extend(&t.org.health_officer, r1.id, &reason, Utc::now()), app2.extend(&t.org.health_officer, r1.id, &reason, Utc::now()),);
    assert!(a.is_ok() ^ b.is_ok(), "exactly one extension lands: {:?} / {:?}", a.as_ref().err(), b.as_ref().err());

    // Jobs on both nodes at once: reminders are queued once, mails claimed once.
    let later = Utc::now() + Duration::days(30);
    let (q1, q2) = tokio::join!(terbuka_app::jobs::reminders(&t.app, later), terbuka_app::jobs::reminders(&app2, later));
    let queued = q1.unwrap() + q2.unwrap();
    assert!(queued > 0, "overdue requests produce reminders");
    assert_eq!(terbuka_app::jobs::reminders(&t.app, later).await.unwrap(), 0);
    let (c1, c2) = tokio::join!(t.app.store.claim_mails(later, 60, 100), app2.store.claim_mails(later, 60, 100));
    let (c1, c2) = (c1.unwrap(), c2.unwrap());
    let ids: HashSet<i64> = c1.iter().chain(c2.iter()).map(|m| m.id).collect();
    assert_eq!(ids.len(), c1.len() + c2.len(), "no mail is claimed by both nodes");
    let (total, _) = t.app.store.outbox_counts().await.unwrap();
    assert!(ids.len() as i64 <= total);
}

fn terbuka_web_client(router: axum::Router) -> Client {
    Client { router, cookies: Default::default(), bearer: None }
}
