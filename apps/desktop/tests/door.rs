//! The door, against a real `onward-desktop` process on loopback with a temporary
//! journal: each refusal (no cookie, a wrong token, a wrong Host, a write without the
//! CSRF token) and the way in.

use reqwest::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_SECURITY_POLICY, COOKIE, HOST, LOCATION, SET_COOKIE,
};
use reqwest::{redirect, Client, StatusCode};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A running server; stopped when dropped.
struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    base: String,
    /// The printed address, with the launch token.
    opening: String,
    /// Where a person would press Enter for a new address.
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// The next address the server prints.
    fn next_address(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "stdout ended"
            );
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                return url.to_string();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_onward-desktop"))
        .args([
            "--no-browser",
            "--port",
            "0",
            "--time-zone",
            "UTC",
            "--journal",
        ])
        .arg(dir.path().join("j.onward"))
        .env("ONWARD_KEYS", "file")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server {
        stdin: child.stdin.take().unwrap(),
        stdout: BufReader::new(child.stdout.take().unwrap()),
        child,
        base: String::new(),
        opening: String::new(),
        _dir: dir,
    };
    server.opening = server.next_address();
    server.base = server.opening.split("/?").next().unwrap().to_string();
    server
}

fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in with the printed address; returns the `name=value` cookie.
async fn sign_in(server: &Server) -> String {
    let answer = client().get(&server.opening).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let cookie = answer.headers()[SET_COOKIE].to_str().unwrap().to_string();
    cookie.split(';').next().unwrap().to_string()
}

/// A page's HTML, signed in with `cookie`.
async fn page(server: &Server, cookie: &str, path: &str) -> String {
    client()
        .get(format!("{}{path}", server.base))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The CSRF token the page carries in its forms.
async fn csrf(server: &Server, cookie: &str) -> String {
    let page = page(server, cookie, "/applications/new").await;
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..at + 64].to_string()
}

async fn board(server: &Server, cookie: &str) -> String {
    page(server, cookie, "/board").await
}

#[tokio::test]
async fn without_the_session_cookie_every_address_is_refused() {
    let server = start();
    for path in [
        "/",
        "/board",
        "/api/search?q=a",
        "/events",
        "/assets/app.js",
        "/records/x",
    ] {
        let answer = client()
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{path}");
        let text = answer.text().await.unwrap();
        assert!(text.contains("the address"), "{path}: {text}");
    }
}

#[tokio::test]
async fn a_wrong_launch_token_is_refused_and_the_right_one_sets_a_strict_cookie() {
    let server = start();
    let wrong = client()
        .get(format!("{}/?token=0123", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());

    let right = client().get(&server.opening).send().await.unwrap();
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        right.headers()[LOCATION],
        "/",
        "the token leaves the address"
    );
    let cookie = right.headers()[SET_COOKIE].to_str().unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let today = client()
        .get(format!("{}/", server.base))
        .header(COOKIE, cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(today.status(), StatusCode::OK);
    assert!(today.text().await.unwrap().contains("Due now"));
}

#[tokio::test]
async fn the_opening_address_works_once_and_enter_prints_a_new_one() {
    let mut server = start();
    let first = sign_in(&server).await;
    let again = client().get(&server.opening).send().await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::UNAUTHORIZED,
        "used once already"
    );
    assert!(again.headers().get(SET_COOKIE).is_none());
    let text = again.text().await.unwrap();
    assert!(text.contains("works once"), "{text}");

    // The browser that is in may open it again (a reload): it just goes to Today.
    let reload = client()
        .get(&server.opening)
        .header(COOKIE, &first)
        .send()
        .await
        .unwrap();
    assert_eq!(reload.status(), StatusCode::SEE_OTHER);
    assert!(reload.headers().get(SET_COOKIE).is_none());

    server.stdin.write_all(b"\n").unwrap();
    server.stdin.flush().unwrap();
    let fresh = server.next_address();
    assert_ne!(fresh, server.opening);
    let second = client().get(&fresh).send().await.unwrap();
    assert_eq!(
        second.status(),
        StatusCode::SEE_OTHER,
        "the new address lets one browser in"
    );
    assert!(second.headers().get(SET_COOKIE).is_some());
    let twice = client().get(&fresh).send().await.unwrap();
    assert_eq!(twice.status(), StatusCode::UNAUTHORIZED, "and only one");
}

#[tokio::test]
async fn a_host_other_than_loopback_and_this_port_is_refused_even_with_the_cookie() {
    let server = start();
    let cookie = sign_in(&server).await;
    let port = server.base.rsplit(':').next().unwrap().to_string();
    for host in [
        format!("evil.example:{port}"),
        "127.0.0.1:1".to_string(),
        "127.0.0.1".to_string(),
    ] {
        let answer = client()
            .get(format!("{}/", server.base))
            .header(HOST, &host)
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::MISDIRECTED_REQUEST, "{host}");
    }
    let by_name = client()
        .get(format!("{}/", server.base))
        .header(HOST, format!("localhost:{port}"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_write_without_the_csrf_token_is_refused_and_changes_nothing() {
    let server = start();
    let cookie = sign_in(&server).await;
    let post = |body: String| {
        client()
            .post(format!("{}/applications", server.base))
            .header(COOKIE, &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let bare = post("company=Acme&role=Analyst".into()).await.unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    let forged = post(format!("csrf={}&company=Acme&role=Analyst", "0".repeat(64)))
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(!board(&server, &cookie).await.contains("Analyst at Acme"));

    let token = csrf(&server, &cookie).await;
    let made = post(format!(
        "csrf={token}&company=Acme&role=Analyst&applied=yes"
    ))
    .await
    .unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    assert!(board(&server, &cookie).await.contains("Analyst at Acme"));
}

#[tokio::test]
async fn answers_forbid_other_origins_scripts_and_send_no_cors_headers() {
    let server = start();
    let cookie = sign_in(&server).await;
    let answer = client()
        .get(format!("{}/api/search?q=a", server.base))
        .header(COOKIE, &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let policy = answer.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
    assert!(answer.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

/// A file upload as a browser's form sends it, with `csrf` as its first field if given.
fn upload_body(csrf: Option<&str>, file: &str) -> (String, String) {
    let boundary = "----onward-test-boundary";
    let mut body = String::new();
    if let Some(token) = csrf {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused_and_with_it_is_read_but_not_imported() {
    let server = start();
    let cookie = sign_in(&server).await;
    let sheet = "Company,Role\nAcme,Analyst\n";
    let upload = |csrf: Option<String>| {
        let (kind, body) = upload_body(csrf.as_deref(), sheet);
        client()
            .post(format!("{}/import/check", server.base))
            .header(COOKIE, &cookie)
            .header("content-type", kind)
            .body(body)
            .send()
    };
    assert_eq!(upload(None).await.unwrap().status(), StatusCode::FORBIDDEN);
    let forged = upload(Some("0".repeat(64))).await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let token = csrf(&server, &cookie).await;
    let checked = upload(Some(token)).await.unwrap();
    assert_eq!(checked.status(), StatusCode::OK);
    let page = checked.text().await.unwrap();
    assert!(page.contains("1 application to add"), "{page}");
    assert!(
        !board(&server, &cookie).await.contains("Analyst at Acme"),
        "checked, not imported"
    );
}
