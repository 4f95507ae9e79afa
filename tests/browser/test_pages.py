"""Browser tests: the real pages in a real Chromium (headless), on a phone-sized window.

The fixture starts `terbuka demo` (the debug binary built by `cargo test`) on a free port with a
fresh data folder, so these tests exercise exactly what a newcomer runs. Screenshots are written
to target/browser/ for people to look at.
"""

import os
import pathlib
import re
import socket
import subprocess
import tempfile
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "debug" / "terbuka"
SHOTS = ROOT / "target" / "browser"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="session")
def server():
    assert BINARY.exists(), f"{BINARY} missing: run `cargo build` (scripts/test does) first"
    port = free_port()
    data = tempfile.mkdtemp(prefix="terbuka-browser-")
    env = dict(os.environ)
    env.update({
        "TERBUKA_DATA_DIR": data,
        "TERBUKA_SERVER_BIND": f"127.0.0.1:{port}",
        "TERBUKA_SERVER_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "RUST_LOG": "warn",
    })
    env.pop("TERBUKA_DATABASE_URL", None)
    proc = subprocess.Popen([str(BINARY), "demo", "--requests", "40"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # The demo publishes two years of generated crisis data before it listens (about a minute
    # in a debug build on a busy machine).
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("terbuka demo exited:\n" + proc.stdout.read().decode())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("terbuka demo did not start listening")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def make_driver(javascript=True):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=360,740", "--lang=id-ID"]:
        opts.add_argument(arg)
    opts.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-"))
    if not javascript:
        opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


@pytest.fixture()
def browser():
    d = make_driver(javascript=True)
    yield d
    d.quit()


@pytest.fixture()
def nojs():
    d = make_driver(javascript=False)
    yield d
    d.quit()


def shot(driver, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def click_and_wait(driver, css):
    """Clicks a link or submit button and waits until the next page has replaced this one (a
    debug build on a busy machine can take seconds to answer a form)."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(old))


def submit_and_wait(driver, element):
    old = driver.find_element(By.TAG_NAME, "html")
    element.submit()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(old))


def fill(driver, name, value):
    el = driver.find_element(By.NAME, name)
    el.clear()
    el.send_keys(value)


def test_home_fits_a_phone_screen(server, browser):
    browser.get(server + "/")
    assert "Pemerintah Provinsi DKI Jakarta" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.execute_script("return document.documentElement.lang") == "id"
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a 360px phone screen"
    shot(browser, "home-mobile")
    browser.get(server + "/register")
    assert browser.find_elements(By.PARTIAL_LINK_TEXT, "PMH-"), "the register lists demo requests"
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"register is {overflow}px wider than the screen"
    shot(browser, "register-mobile")


def submit_form(driver, server, nik):
    driver.get(server + "/permohonan")
    driver.find_element(By.CSS_SELECTOR, "input[name=requester_kind][value=individual]").click()
    fill(driver, "name", "Dewi Lestari")
    fill(driver, "id_number", nik)
    fill(driver, "address", "Jl. Cikini Raya No. 10, Jakarta Pusat")
    fill(driver, "email", "dewi@example.com")
    fill(driver, "subject", "Daftar lokasi pengungsian banjir 2026")
    fill(driver, "details", "Daftar lokasi pengungsian banjir per kelurahan beserta kapasitasnya.")
    fill(driver, "purpose", "Persiapan relawan warga")
    driver.find_element(By.CSS_SELECTOR, "input[name=obtain][value=soft_copy]").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=delivery][value=email]").click()
    click_and_wait(driver, "form[action='/permohonan'] button[type=submit]")


def test_request_without_javascript(server, nojs):
    submit_form(nojs, server, "3171016002850003")
    body = nojs.find_element(By.TAG_NAME, "body").text
    m = re.search(r"PMH-\d{4}-\d{5}", body)
    assert m, body
    shot(nojs, "ack-mobile")
    click_and_wait(nojs, "a[href^='/lacak/']")
    assert m.group(0) in nojs.find_element(By.TAG_NAME, "h1").text
    assert "Dewi Lestari" not in nojs.page_source, "the tracking page does not show the requester's name"
    shot(nojs, "tracking-mobile")


def test_errors_are_shown_and_typing_is_kept(server, nojs):
    submit_form(nojs, server, "12345")
    assert "NIK harus 16 angka" in nojs.page_source
    assert nojs.find_element(By.NAME, "name").get_attribute("value") == "Dewi Lestari"
    assert nojs.find_element(By.NAME, "subject").get_attribute("value") == "Daftar lokasi pengungsian banjir 2026"
    shot(nojs, "form-errors-mobile")


def test_english_is_one_click_away(server, browser):
    browser.get(server + "/permohonan")
    click_and_wait(browser, "a[hreflang=en]")
    assert "Public information request form" in browser.page_source
    assert browser.execute_script("return document.documentElement.lang") == "en"
    click_and_wait(browser, "a[hreflang=id]")
    assert "Formulir permohonan informasi publik" in browser.page_source


def test_officer_signs_in_and_sees_the_inbox(server, nojs):
    nojs.get(server + "/masuk")
    fill(nojs, "username", "utama")
    fill(nojs, "password", "demo-utama-2026!")
    click_and_wait(nojs, "form[action='/masuk'] button[type=submit]")
    assert nojs.current_url.endswith("/konsol")
    assert "PMH-" in nojs.page_source
    shot(nojs, "console-inbox-mobile")
    click_and_wait(nojs, "a[href^='/konsol/permohonan/']")
    assert "PMH-" in nojs.find_element(By.TAG_NAME, "h1").text
    shot(nojs, "console-request-mobile")


def test_register_and_search_without_javascript(server, nojs):
    nojs.get(server + "/informasi")
    items = nojs.find_elements(By.CSS_SELECTOR, "a[href^='/informasi/']")
    item_links = [a.get_attribute("href") for a in items if re.search(r"/informasi/\d+$", a.get_attribute("href") or "")]
    assert item_links, "the register lists demo items"
    overflow = nojs.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/informasi is {overflow}px wider than the screen"
    shot(nojs, "dip-mobile")
    nojs.get(item_links[0])
    assert nojs.find_element(By.TAG_NAME, "h1").text.strip()
    shot(nojs, "dip-item-mobile")
    # Search as a citizen types it: an inflected form and a typo.
    nojs.get(server + "/cari")
    box = nojs.find_element(By.NAME, "q")
    box.send_keys("laporan keuangan")
    submit_and_wait(nojs, box)
    assert "/cari" in nojs.current_url and "q=" in nojs.current_url
    marks = nojs.find_elements(By.TAG_NAME, "mark")
    assert marks, "results highlight the matched words"
    shot(nojs, "search-mobile")
    nojs.get(server + "/cari?q=anggarn")
    assert nojs.find_elements(By.CSS_SELECTOR, "a[href^='/informasi/']"), "a typo still finds information"
    # The DIK lists exempt information by title only.
    nojs.get(server + "/informasi/dik")
    assert "Rekam Medis" in nojs.page_source
    shot(nojs, "dik-mobile")


def test_kolaborasi_pledge_without_javascript(server, nojs):
    nojs.get(server + "/kolaborasi?status=terbuka")
    overflow = nojs.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/kolaborasi is {overflow}px wider than the screen"
    shot(nojs, "kolaborasi-mobile")
    links = [a.get_attribute("href") for a in nojs.find_elements(By.CSS_SELECTOR, "a[href^='/kolaborasi/kebutuhan/']")]
    assert links, "the demo has open needs"
    nojs.get(links[0])
    assert nojs.find_element(By.TAG_NAME, "progress"), "progress is shown without JavaScript"
    # Too much first: refused with the reason, the typing kept.
    fill(nojs, "quantity", "99999999")
    fill(nojs, "name", "Rahmat Hidayat")
    fill(nojs, "email", "rahmat@example.org")
    click_and_wait(nojs, "form[action$='/janji'] button[type=submit]")
    assert nojs.find_element(By.NAME, "name").get_attribute("value") == "Rahmat Hidayat"
    assert "Jumlah terlalu besar" in nojs.page_source or "melebihi" in nojs.page_source
    fill(nojs, "quantity", "1")
    click_and_wait(nojs, "form[action$='/janji'] button[type=submit]")
    assert "janji bantuan Anda tercatat" in nojs.page_source, nojs.page_source[:2000]
    shot(nojs, "kolaborasi-pledge-ack-mobile")
    click_and_wait(nojs, "a[href^='/kolaborasi/janji/']")
    assert "Rahmat Hidayat" in nojs.page_source, "the pledger's private page shows their details"
    # The public page never shows the pledger's name.
    nojs.get(links[0])
    assert "Rahmat Hidayat" not in nojs.page_source
    assert "rahmat@example.org" not in nojs.page_source
    # Check my area by kelurahan name.
    nojs.get(server + "/kolaborasi")
    box = nojs.find_element(By.NAME, "kelurahan")
    box.send_keys("cideng")
    submit_and_wait(nojs, box)
    assert "Cideng" in nojs.page_source
    nojs.get(server + "/kolaborasi/ledger")
    assert nojs.find_elements(By.TAG_NAME, "table"), "the ledger has tables"
    shot(nojs, "kolaborasi-ledger-mobile")


def test_crisis_channel_on_a_phone_without_javascript(server, nojs):
    nojs.get(server + "/krisis/covid19")
    overflow = nojs.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/krisis/covid19 is {overflow}px wider than the screen"
    assert "dibangkitkan" in nojs.page_source.lower(), "generated demo data says so"
    chart = nojs.find_element(By.CSS_SELECTOR, "svg.chart")
    assert chart.size["width"] > 200 and chart.size["height"] > 80, "the trend chart is drawn without JavaScript"
    assert nojs.find_elements(By.CSS_SELECTOR, "table.trend tbody tr"), "the chart's numbers are in a table"
    assert len(nojs.find_elements(By.CSS_SELECTOR, "svg.map path")) == 267, "every kelurahan on the map"
    assert nojs.find_elements(By.CSS_SELECTOR, "#rumus-cfr .f-value"), "indicators show their latest value"
    shot(nojs, "krisis-home-mobile")
    # Check my area by kelurahan name, then the kelurahan's own page.
    box = nojs.find_element(By.NAME, "kelurahan")
    box.send_keys("cideng")
    submit_and_wait(nojs, box)
    click_and_wait(nojs, "#wilayahku a[href*='/wilayah/'], .inline-list a[href*='/wilayah/']")
    assert "Cideng" in nojs.find_element(By.TAG_NAME, "h1").text
    shot(nojs, "krisis-kelurahan-mobile")
    # The public correction log of the latest release.
    nojs.get(server + "/krisis/covid19/rilis")
    click_and_wait(nojs, "a[href^='/krisis/covid19/rilis/']")
    assert nojs.find_element(By.TAG_NAME, "h1").text.strip()
    shot(nojs, "krisis-release-mobile")


def test_crisis_upload_problems_are_listed_and_nothing_is_saved(server, nojs, tmp_path):
    nojs.get(server + "/masuk")
    fill(nojs, "username", "utama")
    fill(nojs, "password", "demo-utama-2026!")
    click_and_wait(nojs, "form[action='/masuk'] button[type=submit]")
    nojs.get(server + "/krisis/covid19/rilis")
    before = len(nojs.find_elements(By.CSS_SELECTOR, "a[href^='/krisis/covid19/rilis/']"))
    bad = tmp_path / "salah.csv"
    bad.write_text("region,date,confirmed\n31.71.01.9999,2021-07-01,5\n31.71.01.1001,kemarin,5\n31.71.01.1002,2021-07-01,-3\n")
    nojs.get(server + "/konsol/krisis/covid19/unggah")
    nojs.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(bad))
    click_and_wait(nojs, "form[enctype] button[type=submit]")
    text = nojs.page_source
    assert "tidak ada data yang disimpan" in text.lower(), text[:3000]
    rows = nojs.find_elements(By.CSS_SELECTOR, "#upload-problems table tbody tr")
    assert len(rows) >= 3, "every problem has its own line"
    shot(nojs, "krisis-upload-problems-mobile")
    nojs.get(server + "/krisis/covid19/rilis")
    assert len(nojs.find_elements(By.CSS_SELECTOR, "a[href^='/krisis/covid19/rilis/']")) == before, "nothing was saved"
