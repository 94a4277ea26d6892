//! Test PKI made by the `openssl` CLI (an oracle we did not write): a CA and code signing leaves
//! with RSA-2048, RSA-4096 and P-256 keys, a leaf without the codeSigning EKU, an expired leaf,
//! and PFX exports in the modern (AES/PBES2) and legacy (RC2/3DES, SHA-1 MAC) forms.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The PFX password used by the fixtures; tests grep every output for it.
pub const PASSWORD: &str = "Pfx-Pa55word-7f3k";

pub struct Leaf {
    pub cert: PathBuf,
    /// PKCS#8 key.
    pub key: PathBuf,
}

impl Leaf {
    /// `--cert CERT --key KEY`: the fixgen options that sign with this leaf.
    pub fn key_args(&self) -> [&std::ffi::OsStr; 4] {
        [
            "--cert".as_ref(),
            self.cert.as_os_str(),
            "--key".as_ref(),
            self.key.as_os_str(),
        ]
    }
}

/// `--ca CA --format json`: the fixgen verify options that check trust and print JSON.
pub fn ca_json_args(ca: &Path) -> [&std::ffi::OsStr; 4] {
    [
        "--ca".as_ref(),
        ca.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]
}

pub struct Pki {
    pub dir: PathBuf,
    pub ca: PathBuf,
    pub ca_key: PathBuf,
    pub rsa2048: Leaf,
    pub rsa4096: Leaf,
    pub p256: Leaf,
    /// The RSA-2048 key as PKCS#1 (`RSA PRIVATE KEY`).
    pub rsa2048_pkcs1_key: PathBuf,
    /// The P-256 key as SEC1 (`EC PRIVATE KEY`).
    pub p256_sec1_key: PathBuf,
    /// The RSA-2048 key encrypted as PKCS#8 (AES-256-CBC, password [`PASSWORD`]).
    pub rsa2048_encrypted_key: PathBuf,
    pub no_eku: Leaf,
    pub expired: Leaf,
    /// A second CA, not trusted by anyone.
    pub other_ca: PathBuf,
    pub pfx_modern: PathBuf,
    pub pfx_legacy: PathBuf,
    pub pfx_3des: PathBuf,
    /// A leaf certificate plus the CA, for `--cert` with a chain.
    pub rsa2048_chain: PathBuf,
    /// Time-stamping authority certificate (critical timeStamping EKU) and key.
    pub tsa: Leaf,
    /// A leaf issued by an intermediate CA (issued by `ca`); `cert` holds leaf + intermediate.
    pub via_intermediate: Leaf,
    /// The same leaf alone, without its intermediate.
    pub via_intermediate_leaf_only: PathBuf,
}

const CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = fixgen test CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[cs]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[noeku]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
[tsa_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
default_tsa = tsa_config1
[tsa_config1]
serial = tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ca]
default_ca = testca
[testca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
";

fn run(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn leaf(dir: &Path, name: &str, keyalg: &[&str], serial: &str, ext: &str) -> Leaf {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let cert = format!("{name}.pem");
    let mut a = vec!["genpkey"];
    a.extend_from_slice(keyalg);
    a.extend_from_slice(&["-out", &key]);
    run(dir, &a);
    run(
        dir,
        &[
            "req",
            "-new",
            "-key",
            &key,
            "-subj",
            &format!("/CN=fixgen test {name}"),
            "-out",
            &csr,
        ],
    );
    run(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            serial,
            "-days",
            "30",
            "-sha256",
            "-extfile",
            "ca.cnf",
            "-extensions",
            ext,
            "-out",
            &cert,
        ],
    );
    Leaf {
        cert: dir.join(cert),
        key: dir.join(key),
    }
}

const RSA2048: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
const RSA4096: &[&str] = &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"];
const P256: &[&str] = &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];

fn build(dir: &Path) -> Pki {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("ca.cnf"), CONFIG).unwrap();
    run(
        dir,
        &[
            "req",
            "-x509",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_ca",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-sha256",
        ],
    );
    run(
        dir,
        &[
            "req",
            "-x509",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_ca",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other-ca.key",
            "-out",
            "other-ca.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=untrusted CA",
        ],
    );
    let rsa2048 = leaf(dir, "rsa2048", RSA2048, "4097", "cs");
    let rsa4096 = leaf(dir, "rsa4096", RSA4096, "4098", "cs");
    let p256 = leaf(dir, "p256", P256, "4099", "cs");
    let no_eku = leaf(dir, "noeku", RSA2048, "4100", "noeku");
    let tsa = leaf(dir, "tsa", RSA2048, "4101", "tsa_ext");
    // Intermediate CA under the root, and a P-256 code signing leaf under it.
    let mut a = vec!["genpkey"];
    a.extend_from_slice(RSA2048);
    a.extend_from_slice(&["-out", "inter.key"]);
    run(dir, &a);
    run(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "inter.key",
            "-subj",
            "/CN=fixgen test intermediate",
            "-out",
            "inter.csr",
        ],
    );
    run(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "inter.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "4102",
            "-days",
            "60",
            "-sha256",
            "-extfile",
            "ca.cnf",
            "-extensions",
            "v3_ca",
            "-out",
            "inter.pem",
        ],
    );
    let mut a = vec!["genpkey"];
    a.extend_from_slice(P256);
    a.extend_from_slice(&["-out", "deep.key"]);
    run(dir, &a);
    run(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "deep.key",
            "-subj",
            "/CN=fixgen test deep",
            "-out",
            "deep.csr",
        ],
    );
    run(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "deep.csr",
            "-CA",
            "inter.pem",
            "-CAkey",
            "inter.key",
            "-set_serial",
            "4103",
            "-days",
            "30",
            "-sha256",
            "-extfile",
            "ca.cnf",
            "-extensions",
            "cs",
            "-out",
            "deep.pem",
        ],
    );
    let deep_chain = [
        std::fs::read_to_string(dir.join("deep.pem")).unwrap(),
        std::fs::read_to_string(dir.join("inter.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("deep-chain.pem"), deep_chain).unwrap();
    std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
    // Expired: `openssl ca` with explicit past dates (openssl 3.0's x509 has no -not_after).
    let expired_key = "expired.key";
    let mut a = vec!["genpkey"];
    a.extend_from_slice(RSA2048);
    a.extend_from_slice(&["-out", expired_key]);
    run(dir, &a);
    run(
        dir,
        &[
            "req",
            "-new",
            "-key",
            expired_key,
            "-subj",
            "/CN=fixgen test expired",
            "-out",
            "expired.csr",
        ],
    );
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("serial"), "1001\n").unwrap();
    run(
        dir,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-in",
            "expired.csr",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-startdate",
            "200101000000Z",
            "-enddate",
            "210101000000Z",
            "-extfile",
            "ca.cnf",
            "-extensions",
            "cs",
            "-notext",
            "-out",
            "expired.pem",
        ],
    );
    run(
        dir,
        &[
            "rsa",
            "-in",
            "rsa2048.key",
            "-traditional",
            "-out",
            "rsa2048-pkcs1.key",
        ],
    );
    run(dir, &["ec", "-in", "p256.key", "-out", "p256-sec1.key"]);
    run(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            "rsa2048.key",
            "-out",
            "rsa2048-enc.key",
            "-passout",
            &format!("pass:{PASSWORD}"),
        ],
    );
    let pass = format!("pass:{PASSWORD}");
    run(
        dir,
        &[
            "pkcs12",
            "-export",
            "-in",
            "rsa2048.pem",
            "-inkey",
            "rsa2048.key",
            "-certfile",
            "ca.pem",
            "-out",
            "modern.pfx",
            "-passout",
            &pass,
        ],
    );
    run(
        dir,
        &[
            "pkcs12",
            "-export",
            "-legacy",
            "-in",
            "rsa2048.pem",
            "-inkey",
            "rsa2048.key",
            "-certfile",
            "ca.pem",
            "-out",
            "legacy.pfx",
            "-passout",
            &pass,
        ],
    );
    run(
        dir,
        &[
            "pkcs12",
            "-export",
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
            "-in",
            "p256.pem",
            "-inkey",
            "p256.key",
            "-certfile",
            "ca.pem",
            "-out",
            "3des.pfx",
            "-passout",
            &pass,
        ],
    );
    let chain = [
        std::fs::read_to_string(dir.join("rsa2048.pem")).unwrap(),
        std::fs::read_to_string(dir.join("ca.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("rsa2048-chain.pem"), chain).unwrap();
    Pki {
        dir: dir.to_path_buf(),
        ca: dir.join("ca.pem"),
        ca_key: dir.join("ca.key"),
        rsa2048,
        rsa4096,
        p256,
        rsa2048_pkcs1_key: dir.join("rsa2048-pkcs1.key"),
        p256_sec1_key: dir.join("p256-sec1.key"),
        rsa2048_encrypted_key: dir.join("rsa2048-enc.key"),
        no_eku,
        expired: Leaf {
            cert: dir.join("expired.pem"),
            key: dir.join(expired_key),
        },
        other_ca: dir.join("other-ca.pem"),
        pfx_modern: dir.join("modern.pfx"),
        pfx_legacy: dir.join("legacy.pfx"),
        pfx_3des: dir.join("3des.pfx"),
        rsa2048_chain: dir.join("rsa2048-chain.pem"),
        tsa,
        via_intermediate: Leaf {
            cert: dir.join("deep-chain.pem"),
            key: dir.join("deep.key"),
        },
        via_intermediate_leaf_only: dir.join("deep.pem"),
    }
}

/// A minimal RFC 3161 time-stamping server on 127.0.0.1 for tests: it takes HTTP POSTs and
/// answers each with `openssl ts -reply` (OpenSSL's TSA, an oracle we did not write). Requests
/// are served one at a time until the test process exits. Returns the URL.
pub fn tsa_server(p: &'static Pki) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some((k, v)) = l.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0u8; len];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let q = p.dir.join(format!("req-{}-{n}.tsq", std::process::id()));
            let r = p.dir.join(format!("resp-{}-{n}.tsr", std::process::id()));
            std::fs::write(&q, &body).unwrap();
            let out = Command::new("openssl")
                .args([
                    "ts",
                    "-reply",
                    "-config",
                    "ca.cnf",
                    "-section",
                    "tsa_config1",
                ])
                .arg("-queryfile")
                .arg(&q)
                .arg("-signer")
                .arg(&p.tsa.cert)
                .arg("-inkey")
                .arg(&p.tsa.key)
                .arg("-chain")
                .arg(&p.ca)
                .arg("-out")
                .arg(&r)
                .current_dir(&p.dir)
                .output()
                .unwrap();
            let (status, resp) = if out.status.success() {
                ("200 OK", std::fs::read(&r).unwrap())
            } else {
                eprintln!(
                    "openssl ts -reply failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                ("500 Internal Server Error", Vec::new())
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                resp.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&resp);
        }
    });
    url
}

/// The shared test PKI (made once per test binary), or `None` when openssl is missing (the
/// caller skips; under FIXGEN_REQUIRE_ORACLES=1 `oracle` panics instead).
pub fn pki() -> Option<&'static Pki> {
    crate::common::oracle("openssl")?;
    static PKI: OnceLock<Pki> = OnceLock::new();
    Some(PKI.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("fixgen-pki-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        build(&dir)
    }))
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fixgen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `osslsigncode verify -in F -CAfile CA -ignore-crl`: (accepted, combined output).
pub fn osslsigncode_verify(file: &Path, ca: &Path) -> Option<(bool, String)> {
    let tool = crate::common::oracle("osslsigncode")?;
    let out = Command::new(tool)
        .args(["verify", "-in"])
        .arg(file)
        .arg("-CAfile")
        .arg(ca)
        .arg("-ignore-crl")
        .output()
        .expect("run osslsigncode");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ok = out.status.success() && text.contains("Signature verification: ok");
    Some((ok, text))
}
