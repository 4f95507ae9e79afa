//! A request's whole life through the pages: a citizen submits, the PPID Utama routes, the unit
//! answers, the citizen objects, the Atasan PPID decides, and the register and tracking page tell
//! everyone what happened.

use crate::util::*;
use axum::http::StatusCode;

#[tokio::test]
async fn citizen_to_komisi_informasi_through_the_pages() {
    let t = TestApp::sqlite().await;
    let mut citizen = t.client();

    // The form renders in Indonesian by default, and in English on request.
    let form = citizen.get("/permohonan").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("Formulir permohonan informasi publik"));
    assert!(citizen.get("/permohonan?lang=en").await.text().contains("Public information request form"));

    // Submit with an identity scan.
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF";
    let ack = citizen
        .post_multipart("/permohonan", &request_fields().iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>(), &[("identity_scan", "ktp.pdf", pdf)])
        .await;
    assert_eq!(ack.status, StatusCode::OK, "{}", ack.text());
    let html = ack.text();
    let reg_no = reg_no_from(&html);
    assert!(reg_no.starts_with("PMH-"), "{reg_no}");
    let token = token_from_ack(&html);
    assert!(token.len() >= 40);

    // The tracking page works with the private link, not with a guess.
    let track = citizen.get(&format!("/lacak/{token}")).await;
    assert_eq!(track.status, StatusCode::OK);
    assert!(track.text().contains(&reg_no));
    assert_eq!(citizen.get("/lacak/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await.status, StatusCode::NOT_FOUND);

    // The PPID Utama routes it to the health office.
    let id = t.app.store.request_by_reg_no(&reg_no).await.unwrap().unwrap().id;
    let mut utama = t.officer_client("utama").await;
    let inbox = utama.get("/konsol").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.text().contains(&reg_no));
    let r = utama.post_form(&format!("/konsol/permohonan/{id}/route"), &[("unit", t.org.health.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // The health office refuses on ground h with a consequence test.
    let mut dinkes = t.officer_client("dinkes").await;
    let detail = dinkes.get(&format!("/konsol/permohonan/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.text().contains("3171014501900001"), "the unit's officer sees the requester's NIK");
    let r = dinkes
        .post_multipart(
            &format!("/konsol/permohonan/{id}/answer"),
            &[
                ("outcome", "refused_exempt".into()),
                ("text", "Permohonan ditolak karena memuat rekam medis pribadi.".into()),
                ("exemption_ground", "h".into()),
                ("consequence_test", "Membuka rekam medis per pasien melanggar rahasia pribadi (Pasal 17 huruf h).".into()),
                ("atasan_approval", "ND-12/PPID/2026".into()),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // The citizen objects on ground a.
    let r = citizen
        .post_form(
            &format!("/lacak/{token}/keberatan"),
            &[("grounds", "a".into()), ("summary", "Data agregat per kecamatan tidak memuat rahasia pribadi.".into())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let track = citizen.get(&format!("/lacak/{token}")).await.text();
    assert!(track.contains("KBR-"), "the tracking page lists the keberatan");

    // The Atasan PPID rejects it with reasons.
    let objection = t.app.store.objections_of(id).await.unwrap().remove(0);
    let mut atasan = t.officer_client("atasan").await;
    let r = atasan
        .post_form(&format!("/konsol/keberatan/{}/reject", objection.id), &[("reasons", "Data yang diminta memuat identitas pasien per alamat.".into())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // Now the tracking page tells the citizen how and by when to go to the Komisi Informasi.
    let track = citizen.get(&format!("/lacak/{token}")).await.text();
    assert!(track.contains("Komisi Informasi Provinsi DKI Jakarta"), "{track}");
    let objection = t.app.store.objection(objection.id).await.unwrap().unwrap();
    let cal = t.app.calendar().await.unwrap();
    let due = objection.clock.dispute_due(&t.app.deadlines(&cal));
    assert!(track.contains(&due.format("%d-%m-%Y").to_string()), "dispute deadline {due} shown");

    // The public register shows the outcome and nothing personal.
    let reg = citizen.get(&format!("/register/{reg_no}")).await.text();
    assert!(reg.contains("Ditolak"));
    assert!(!reg.contains("Siti Aminah") && !reg.contains("3171014501900001"));

    // Every step is in the audit chain, and the chain holds.
    let head = t.app.verify_audit().await.unwrap().expect("chain verifies");
    assert!(head.count >= 5);
    assert!(citizen.get("/audit").await.text().contains(&head.hash));
}

#[tokio::test]
async fn a_withdrawn_request_cannot_be_answered() {
    let t = TestApp::sqlite().await;
    let mut citizen = t.client();
    let ack = citizen.post_form("/permohonan", &request_fields().iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()).await;
    assert_eq!(ack.status, StatusCode::OK, "{}", ack.text());
    let token = token_from_ack(&ack.text());
    let r = citizen.post_form(&format!("/lacak/{token}/tarik"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let reg_no = reg_no_from(&ack.text());
    let req = t.app.store.request_by_reg_no(&reg_no).await.unwrap().unwrap();
    assert_eq!(req.clock.state.as_str(), "withdrawn");
    let mut utama = t.officer_client("utama").await;
    let r = utama.post_form(&format!("/konsol/permohonan/{}/route", req.id), &[("unit", t.org.health.to_string())]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    // Withdrawing twice is refused with a clear message, not a 500.
    let r = citizen.post_form(&format!("/lacak/{token}/tarik"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("tidak dapat dilakukan"));
}
