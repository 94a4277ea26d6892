//! fixgen benchmarks (issue 9): `cargo bench --bench bench`.
//!
//! Runs the release `fixgen` binary as separate processes, the way admins run it, and measures
//! each process as a whole: wall time (spawn to exit) and peak RSS plus CPU time from the
//! child's own `struct rusage` (`wait4`). Each figure is the median of several runs (the
//! minimum is shown too: on a shared machine it is the least disturbed run). In one run:
//!
//! - (a) `fixgen build` of the embedded L2TP bundle, unsigned and signed (RSA-2048);
//! - (b) synthetic bundles of 10 to 10,000 recipes: build time, peak RSS, cost per recipe;
//! - (c) signing the same 100 and 1,000 scripts with `fixgen sign` (one process per file, and
//!   one process for all files) and with `osslsigncode sign` (one process per file);
//! - (d) `fixgen check` throughput in recipes per second;
//! - `openssl speed -seconds 3 rsa2048`, for OpenSSL's cost of one RSA-2048 signature.
//!
//! Timings are never tests: under `cargo test` (no `--bench` argument) this binary only says
//! how to run it. The report is printed as Markdown and written to
//! `target/fixgen-bench.md` (or `$FIXGEN_BENCH_OUT`).
//!
//! Knobs: `FIXGEN_BENCH_RUNS=N` (runs per small measurement, default 11; large ones use fewer),
//! `FIXGEN_BENCH_QUICK=1` (sizes up to 1,000, fewer runs: a smoke run while editing).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type Res<T> = Result<T, String>;

/// One finished child process.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Duration,
    /// user + system CPU time of the child.
    cpu: Duration,
    /// Peak resident set size of the child, KiB (`ru_maxrss` on Linux).
    maxrss_kib: u64,
}

/// Statistics over the samples of one measurement.
#[derive(Debug, Clone, Copy)]
struct Stats {
    runs: usize,
    wall_median: Duration,
    wall_min: Duration,
    cpu_median: Duration,
    maxrss_kib: u64,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    if n == 0 {
        Duration::ZERO
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn stats(samples: &[Sample]) -> Stats {
    let mut rss: Vec<u64> = samples.iter().map(|s| s.maxrss_kib).collect();
    rss.sort_unstable();
    Stats {
        runs: samples.len(),
        wall_median: median(samples.iter().map(|s| s.wall).collect()),
        wall_min: samples.iter().map(|s| s.wall).min().unwrap_or_default(),
        cpu_median: median(samples.iter().map(|s| s.cpu).collect()),
        maxrss_kib: rss.get(rss.len() / 2).copied().unwrap_or(0),
    }
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().to_string();
    for a in cmd.get_args().take(8) {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    if cmd.get_args().count() > 8 {
        s.push_str(" ...");
    }
    s
}

/// Run `cmd` to completion and measure it with `wait4`. Output goes to a log file in the
/// scratch folder, shown when the command fails (a failed run is an error, never a sample).
fn measure(cmd: &mut Command, log: &Path) -> Res<Sample> {
    let out = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
    let start = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", describe(cmd)))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = loop {
        // SAFETY: pid is our unwaited child; status and ru point to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    let wall = start.elapsed();
    // The child is reaped; `Child` does not wait or kill on drop.
    drop(child);
    if r != pid {
        return Err(format!(
            "wait4 failed for {}: {}",
            describe(cmd),
            std::io::Error::last_os_error()
        ));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !ok {
        let text = fs::read_to_string(log).unwrap_or_default();
        let tail: String = text
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        return Err(format!(
            "{} failed (wait status {status:#x}):\n{tail}",
            describe(cmd)
        ));
    }
    Ok(Sample {
        wall,
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        maxrss_kib: ru.ru_maxrss.max(0) as u64,
    })
}

/// Run a command for its output (set-up steps, not measured).
fn output(cmd: &mut Command) -> Res<String> {
    let o = cmd
        .output()
        .map_err(|e| format!("cannot start {}: {e}", describe(cmd)))?;
    if !o.status.success() {
        return Err(format!(
            "{} failed: {}{}",
            describe(cmd),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    ))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn find_tool(name: &str) -> Res<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .ok_or_else(|| format!("`{name}` is not installed (apt-get install {name})"))
}

#[derive(Clone)]
struct Ctx {
    fixgen: PathBuf,
    openssl: PathBuf,
    osslsigncode: PathBuf,
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    ca: PathBuf,
    runs: usize,
    quick: bool,
    /// `fixgen build` takes `--cert/--key` itself (else signed builds are build + sign).
    build_signs: bool,
    counter: std::cell::Cell<usize>,
}

impl Ctx {
    fn fresh(&self, what: &str) -> PathBuf {
        let n = self.counter.get();
        self.counter.set(n + 1);
        self.dir.join("runs").join(format!("{what}-{n}"))
    }

    /// Remove the outputs of finished measurements (not measured).
    fn clean_runs(&self) {
        let _ = fs::remove_dir_all(self.dir.join("runs"));
    }

    fn log(&self) -> PathBuf {
        self.dir.join("last-command.log")
    }

    fn fixgen(&self) -> Command {
        let mut c = Command::new(&self.fixgen);
        c.env("NO_COLOR", "1");
        c
    }

    /// Measure `runs` runs of the command made by `make` (one warm-up run first, not counted).
    fn bench(&self, runs: usize, mut make: impl FnMut(&Ctx) -> Res<Command>) -> Res<Stats> {
        let mut samples = Vec::new();
        for i in 0..=runs {
            let s = measure(&mut make(self)?, &self.log())?;
            // Outputs are removed after every run (not measured): a 10,000-recipe build
            // writes over 1 GB.
            self.clean_runs();
            if i > 0 {
                samples.push(s);
            }
        }
        Ok(stats(&samples))
    }
}

// ---------------------------------------------------------------------------------------------
// PKI: a CA and an RSA-2048 code signing leaf, made by the openssl CLI.

const OPENSSL_CNF: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = fixgen bench CA
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
";

fn make_pki(openssl: &Path, dir: &Path) -> Res<(PathBuf, PathBuf, PathBuf)> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    fs::write(dir.join("ca.cnf"), OPENSSL_CNF).map_err(|e| e.to_string())?;
    let run = |args: &[&str]| output(Command::new(openssl).args(args).current_dir(dir));
    run(&[
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
        "30",
        "-sha256",
    ])?;
    run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "signer.key",
    ])?;
    run(&[
        "req",
        "-new",
        "-key",
        "signer.key",
        "-subj",
        "/CN=fixgen bench signer",
        "-out",
        "signer.csr",
    ])?;
    run(&[
        "x509",
        "-req",
        "-in",
        "signer.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "4660",
        "-days",
        "30",
        "-sha256",
        "-extfile",
        "ca.cnf",
        "-extensions",
        "cs",
        "-out",
        "signer.pem",
    ])?;
    Ok((
        dir.join("signer.pem"),
        dir.join("signer.key"),
        dir.join("ca.pem"),
    ))
}

// ---------------------------------------------------------------------------------------------
// Synthetic bundles.

/// The recipe YAML of synthetic recipe `i`: valid, with a mix of every step kind, params with
/// defaults and one required param (`ServerAddress`, bound with `--set`) in the VPN recipes.
fn synthetic_recipe(i: usize) -> String {
    let id = format!("bench-fix-{i:05}");
    let mut y = format!(
        "# yaml-language-server: $schema=../../schema/recipe.schema.json\n\
         id: {id}\n\
         title: Synthetic fix number {i} for the benchmark\n\
         summary: >-\n  Generated by benches/bench.rs to measure how the cost of a build grows with\n  \
         the number of recipes. Recipe {i} of a synthetic bundle; it mixes step kinds.\n\
         symptom: The L2TP connection attempt failed because the security layer encountered a processing error\n\
         references:\n  - https://learn.microsoft.com/en-us/troubleshoot/windows-server/networking/configure-l2tp-ipsec-server-behind-nat-t-device\n\
         context: system\n"
    );
    let svc = ["IKEEXT", "PolicyAgent", "RasMan", "W32Time", "BITS"][i % 5];
    let key = format!("HKLM\\SYSTEM\\CurrentControlSet\\Services\\FixgenBench{i}\\Parameters");
    match i % 5 {
        0 => {
            y.push_str("reboot: required\nsteps:\n");
            let _ = write!(
                y,
                "  - registry:\n      key: {key}\n      name: Level\n      value: {{ dword: {} }}\n\
                 \x20 - registry:\n      key: {key}\n      name: Label\n      value: {{ string: \"Bench value {i}\" }}\n\
                 \x20 - registry:\n      key: {key}\n      name: Servers\n      value: {{ multi_string: [alpha.example.com, beta.example.com] }}\n\
                 \x20 - service: {{ name: {svc}, startup: automatic, state: running }}\n",
                i % 3
            );
        }
        1 => {
            y.push_str("reboot: none\nsteps:\n");
            let _ = write!(
                y,
                "  - service: {{ name: {svc}, startup: automatic_delayed, state: running }}\n\
                 \x20 - service: {{ name: RasMan, state: running }}\n\
                 \x20 - registry:\n      key: {key}\n      name: Obsolete\n      ensure: absent\n"
            );
        }
        2 => {
            y.push_str("reboot: none\nsteps:\n");
            let _ = write!(
                y,
                "  - firewall:\n      id: fixgen-bench-{i}-udp-out\n      display_name: Bench rule {i} (UDP 500, 4500) out\n      \
                 description: Added by the fixgen benchmark.\n      direction: outbound\n      protocol: udp\n      \
                 remote_ports: [500, 4500, \"49152-65535\"]\n      action: allow\n      profiles: [domain, private, public]\n\
                 \x20 - firewall:\n      id: fixgen-bench-{i}-tcp-in\n      display_name: Bench rule {i} (TCP 1723) in\n      \
                 direction: inbound\n      protocol: tcp\n      local_ports: [1723]\n      action: block\n"
            );
        }
        3 => {
            y.push_str(
                "reboot: none\nparams:\n  ConnectionName:\n    type: string\n    default: Bench VPN\n    \
                 description: Name of the VPN connection\n  ServerAddress:\n    type: hostname\n    required: true\n    \
                 description: VPN server name or address\n  PreSharedKey:\n    type: string\n    secret: true\n    \
                 description: IPsec pre-shared key\nsteps:\n",
            );
            y.push_str(
                "  - vpn:\n      name: { param: ConnectionName }\n      server: { param: ServerAddress }\n      \
                 tunnel: l2tp\n      psk: { param: PreSharedKey }\n      authentication: [mschapv2]\n      \
                 encryption: required\n      all_users: true\n      split_tunneling: false\n      \
                 remember_credential: true\n      recreate: false\n",
            );
        }
        _ => {
            y.push_str("reboot: recommended\nsteps:\n");
            let _ = write!(
                y,
                "  - registry:\n      key: {key}\n      name: Epoch\n      value: {{ qword: {} }}\n\
                 \x20 - registry:\n      key: {key}\n      name: Blob\n      value: {{ binary: \"00ff10ab\" }}\n\
                 \x20 - windows_update: {{ action: scan }}\n",
                1_000_000_000u64 + i as u64
            );
        }
    }
    y
}

fn write_synthetic(dir: &Path, n: usize) -> Res<()> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut manifest = format!(
        "# yaml-language-server: $schema=../../schema/bundle.schema.json\n\
         name: BenchFix{n}\n\
         title: Synthetic benchmark bundle of {n} recipes\n\
         version: 1.0.0\n\
         description: Generated by benches/bench.rs.\n\
         publisher: fixgen benchmark\n\
         recipes:\n"
    );
    for i in 0..n {
        let _ = writeln!(manifest, "  - bench-fix-{i:05}");
        fs::write(
            dir.join(format!("bench-fix-{i:05}.yaml")),
            synthetic_recipe(i),
        )
        .map_err(|e| e.to_string())?;
    }
    fs::write(dir.join("bundle.yaml"), manifest).map_err(|e| e.to_string())
}

fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                n += count_files(&p);
            } else {
                n += 1;
            }
        }
    }
    n
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                n += dir_bytes(&p);
            } else {
                n += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    n
}

// ---------------------------------------------------------------------------------------------
// The measurements.

/// Targets built for synthetic bundles: all but Intune. Intune takes remediation scripts under
/// 200,000 bytes, so the bundle-wide Intune package of a bundle of more than a few dozen
/// recipes is refused by design (the embedded L2TP bundle builds every target).
const SYNTH_TARGETS: &str = "scripts,module,reg,gpo";

/// `fixgen build`: the embedded bundle with every target when `paths` is empty, else the
/// synthetic bundle at `paths` with [`SYNTH_TARGETS`].
fn build_cmd(c: &Ctx, out: &Path, paths: &[&Path], signed: bool, set: &[&str]) -> Command {
    let mut cmd = c.fixgen();
    cmd.arg("build").args(paths).arg("--out").arg(out);
    if !paths.is_empty() {
        cmd.arg("--target").arg(SYNTH_TARGETS);
    }
    for s in set {
        cmd.arg("--set").arg(s);
    }
    if signed {
        cmd.arg("--cert").arg(&c.cert).arg("--key").arg(&c.key);
    }
    cmd
}

/// A signed build: `fixgen build --cert --key` when build signs, else build then
/// `fixgen sign` of every PowerShell file (two processes, both counted).
fn bench_signed_build(
    c: &Ctx,
    what: &str,
    paths: &[&Path],
    set: &[&str],
    runs: usize,
) -> Res<Stats> {
    if c.build_signs {
        return c.bench(runs, |c| Ok(build_cmd(c, &c.fresh(what), paths, true, set)));
    }
    let mut samples = Vec::new();
    for i in 0..=runs {
        let out = c.fresh(what);
        let mut b = build_cmd(c, &out, paths, false, set);
        let s1 = measure(&mut b, &c.log())?;
        let mut files = Vec::new();
        collect_ps(&out, &mut files);
        let mut sign = c.fixgen();
        sign.arg("sign")
            .args(&files)
            .arg("--cert")
            .arg(&c.cert)
            .arg("--key")
            .arg(&c.key);
        let s2 = measure(&mut sign, &c.log())?;
        c.clean_runs();
        if i > 0 {
            samples.push(Sample {
                wall: s1.wall + s2.wall,
                cpu: s1.cpu + s2.cpu,
                maxrss_kib: s1.maxrss_kib.max(s2.maxrss_kib),
            });
        }
    }
    c.clean_runs();
    Ok(stats(&samples))
}

fn collect_ps(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_ps(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["ps1", "psm1", "psd1"].contains(&e))
        {
            out.push(p);
        }
    }
}

/// `openssl speed [-elapsed] -seconds 3 rsa2048`: seconds per RSA-2048 signature (CPU time,
/// or wall time with `-elapsed`).
fn openssl_speed(c: &Ctx, elapsed: bool) -> Res<(f64, String)> {
    let mut cmd = Command::new(&c.openssl);
    cmd.arg("speed");
    if elapsed {
        cmd.arg("-elapsed");
    }
    let text = output(cmd.args(["-seconds", "3", "rsa2048"]))?;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("rsa") && t.contains("2048") && t.contains("bits") {
            let after = t.split("bits").nth(1).unwrap_or("");
            if let Some(v) = after
                .split_whitespace()
                .find_map(|w| w.strip_suffix('s').and_then(|n| n.parse::<f64>().ok()))
            {
                return Ok((v, line.trim().to_string()));
            }
        }
    }
    Err(format!(
        "cannot find the rsa 2048 line in openssl speed output:\n{text}"
    ))
}

/// Copy the unsigned scripts into a fresh folder (not measured) and return the copies.
fn fresh_copies(c: &Ctx, what: &str, scripts: &[PathBuf]) -> Res<Vec<PathBuf>> {
    let dir = c.fresh(what);
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    scripts
        .iter()
        .map(|s| {
            let to = dir.join(s.file_name().unwrap_or_default());
            fs::copy(s, &to).map_err(|e| format!("{}: {e}", s.display()))?;
            Ok(to)
        })
        .collect()
}

/// Sum of one process per file, per run; median over runs.
fn bench_per_file(
    c: &Ctx,
    what: &str,
    scripts: &[PathBuf],
    runs: usize,
    mut make: impl FnMut(&Ctx, &Path) -> Command,
) -> Res<Stats> {
    // Warm-up: a few files, not counted.
    for f in fresh_copies(c, what, &scripts[..scripts.len().min(3)])? {
        measure(&mut make(c, &f), &c.log())?;
    }
    let mut samples = Vec::new();
    for _ in 0..runs {
        let files = fresh_copies(c, what, scripts)?;
        let mut total = Sample {
            wall: Duration::ZERO,
            cpu: Duration::ZERO,
            maxrss_kib: 0,
        };
        for f in &files {
            let s = measure(&mut make(c, f), &c.log())?;
            total.wall += s.wall;
            total.cpu += s.cpu;
            total.maxrss_kib = total.maxrss_kib.max(s.maxrss_kib);
        }
        c.clean_runs();
        samples.push(total);
    }
    c.clean_runs();
    Ok(stats(&samples))
}

fn bench_sign_batch(c: &Ctx, what: &str, scripts: &[PathBuf], runs: usize) -> Res<Stats> {
    let mut samples = Vec::new();
    for i in 0..=runs {
        let files = fresh_copies(c, what, scripts)?;
        let mut cmd = c.fixgen();
        cmd.arg("sign")
            .args(&files)
            .arg("--cert")
            .arg(&c.cert)
            .arg("--key")
            .arg(&c.key);
        let s = measure(&mut cmd, &c.log())?;
        c.clean_runs();
        if i > 0 {
            samples.push(s);
        }
    }
    Ok(stats(&samples))
}

fn verify_with_osslsigncode(c: &Ctx, file: &Path) -> Res<()> {
    output(
        Command::new(&c.osslsigncode)
            .args(["verify", "-ignore-crl", "-CAfile"])
            .arg(&c.ca)
            .arg("-in")
            .arg(file),
    )
    .map(|_| ())
    .map_err(|e| format!("a signed script does not verify, so the timing is meaningless: {e}"))
}

fn first_line(cmd: &mut Command) -> String {
    output(cmd)
        .map(|s| s.lines().next().unwrap_or("").trim().to_string())
        .unwrap_or_else(|e| format!("unknown ({e})"))
}

fn machine(c: &Ctx) -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown CPU")
        .trim()
        .to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|k| format!("{:.0} GiB RAM", k as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    let os = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|s| s.trim_matches('"').to_string())
        })
        .unwrap_or_default();
    let kernel = first_line(Command::new("uname").arg("-r"));
    format!(
        "{model}, {cores} cores, {mem}; {os}, Linux {kernel}; {}; {}; {}",
        first_line(c.fixgen().arg("--version")),
        first_line(Command::new(&c.openssl).arg("version")),
        first_line(Command::new(&c.osslsigncode).arg("--version")),
    )
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("fixgen bench: not run under `cargo test`; run `cargo bench --bench bench`");
        return;
    }
    // `cargo bench --bench bench -- --generate DIR N`: only write a synthetic bundle (for
    // profiling one command by hand).
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let dir = args.get(i + 1).map(PathBuf::from);
        let n = args.get(i + 2).and_then(|n| n.parse::<usize>().ok());
        let (Some(dir), Some(n)) = (dir, n) else {
            eprintln!("fixgen bench: usage: --generate DIR N");
            std::process::exit(2);
        };
        if let Err(e) = write_synthetic(&dir, n) {
            eprintln!("fixgen bench: error: {e}");
            std::process::exit(1);
        }
        eprintln!(
            "fixgen bench: wrote {n} recipes and bundle.yaml to {}",
            dir.display()
        );
        return;
    }
    match run() {
        Ok(()) => {}
        Err(e) => {
            eprintln!("fixgen bench: error: {e}");
            std::process::exit(1);
        }
    }
}

fn run() -> Res<()> {
    let quick = std::env::var("FIXGEN_BENCH_QUICK").is_ok_and(|v| v == "1");
    let runs: usize = std::env::var("FIXGEN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(if quick { 3 } else { 11 });
    let fixgen = PathBuf::from(env!("CARGO_BIN_EXE_fixgen"));
    let scratch = tempfile::Builder::new()
        .prefix("fixgen-bench-")
        .tempdir()
        .map_err(|e| format!("cannot make a scratch folder: {e}"))?;
    let dir = scratch.path().to_path_buf();
    let openssl = find_tool("openssl")?;
    let osslsigncode = find_tool("osslsigncode")?;
    let (cert, key, ca) = make_pki(&openssl, &dir.join("pki"))?;
    let help = output(Command::new(&fixgen).args(["build", "--help"]))?;
    let c = Ctx {
        fixgen,
        openssl,
        osslsigncode,
        dir,
        cert,
        key,
        ca,
        runs,
        quick,
        build_signs: help.contains("--cert"),
        counter: std::cell::Cell::new(0),
    };
    let started = chrono_like_now();
    let load_before = loadavg();
    eprintln!(
        "fixgen bench: scratch {}, {} runs per measurement",
        c.dir.display(),
        c.runs
    );
    let mut md = String::new();

    // (a) the L2TP bundle.
    eprintln!("(a) L2TP bundle");
    let l2tp_unsigned = c.bench(c.runs, |c| {
        Ok(build_cmd(c, &c.fresh("l2tp"), &[], false, &[]))
    })?;
    let l2tp_signed = bench_signed_build(&c, "l2tp-signed", &[], &[], c.runs)?;
    // The same with the output on tmpfs: fixgen's own cost without the disk's.
    let shm_scratch = tempfile::Builder::new()
        .prefix("fixgen-bench-")
        .tempdir_in("/dev/shm")
        .ok();
    let l2tp_tmpfs = match &shm_scratch {
        Some(d) => {
            let shm = Ctx {
                dir: d.path().to_path_buf(),
                ..c.clone()
            };
            let u = shm.bench(c.runs, |c| {
                Ok(build_cmd(c, &c.fresh("l2tp"), &[], false, &[]))
            })?;
            let s = bench_signed_build(&shm, "l2tp-signed", &[], &[], c.runs)?;
            Some((u, s))
        }
        None => None,
    };
    let scratch_fs = first_line(Command::new("stat").args(["-f", "-c", "%T"]).arg(&c.dir));
    let probe = c.fresh("l2tp-probe");
    measure(&mut build_cmd(&c, &probe, &[], false, &[]), &c.log())?;
    let l2tp_files = count_files(&probe);

    // (b) synthetic bundles.
    let sizes: &[usize] = if c.quick {
        &[10, 100, 1000]
    } else {
        &[10, 100, 1000, 10_000]
    };
    let mut synth = Vec::new();
    for &n in sizes {
        eprintln!("(b) synthetic bundle of {n} recipes");
        let src = c.dir.join(format!("bundle-{n}"));
        write_synthetic(&src, n)?;
        let runs_n = match n {
            0..=100 => c.runs,
            101..=1000 => c.runs.min(5),
            _ => c.runs.min(3),
        };
        let set = ["ServerAddress=vpn.example.com"];
        let what = format!("build-{n}");
        let build = c.bench(runs_n, |c| {
            Ok(build_cmd(c, &c.fresh(&what), &[&src], false, &set))
        })?;
        let signed = bench_signed_build(&c, &format!("signed-{n}"), &[&src], &set, runs_n)?;
        let check = c.bench(runs_n, |c| {
            let mut cmd = c.fixgen();
            cmd.arg("check").arg(&src);
            Ok(cmd)
        })?;
        let out = c.dir.join(format!("built-{n}"));
        measure(&mut build_cmd(&c, &out, &[&src], false, &set), &c.log())?;
        let (files, bytes) = (count_files(&out), dir_bytes(&out));
        if n != 1000 {
            // Only the 1,000-recipe output is used again (its scripts are signed in (c)).
            let _ = fs::remove_dir_all(&out);
        }
        synth.push((n, build, signed, check, files, bytes, out));
    }

    // (c) signing the same scripts with fixgen and osslsigncode.
    let (_, _, _, _, _, _, built_1000) = synth
        .iter()
        .find(|s| s.0 == 1000)
        .ok_or("no 1,000-recipe bundle")?;
    let mut all_scripts = Vec::new();
    collect_ps(&built_1000.join("scripts"), &mut all_scripts);
    all_scripts.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("bench-fix-"))
    });
    if all_scripts.len() < 1000 {
        return Err(format!(
            "expected 1,000 recipe scripts in {}, found {}",
            built_1000.display(),
            all_scripts.len()
        ));
    }
    eprintln!("openssl speed -seconds 3 rsa2048 (CPU time, then -elapsed: wall time)");
    let (speed, speed_line) = openssl_speed(&c, false)?;
    let (speed_wall, speed_wall_line) = openssl_speed(&c, true)?;
    let mut signing = Vec::new();
    for n in [100usize, 1000] {
        eprintln!("(c) signing {n} scripts");
        let scripts = &all_scripts[..n];
        let runs_n = if n <= 100 {
            c.runs.min(5)
        } else {
            c.runs.min(3)
        };
        let batch = bench_sign_batch(&c, &format!("fx-batch-{n}"), scripts, runs_n)?;
        let per_file = bench_per_file(&c, &format!("fx-each-{n}"), scripts, runs_n, |c, f| {
            let mut cmd = c.fixgen();
            cmd.arg("sign")
                .arg(f)
                .arg("--cert")
                .arg(&c.cert)
                .arg("--key")
                .arg(&c.key);
            cmd
        })?;
        let ossl = bench_per_file(&c, &format!("ossl-{n}"), scripts, runs_n, |c, f| {
            let mut cmd = Command::new(&c.osslsigncode);
            cmd.args(["sign", "-h", "sha256", "-certs"])
                .arg(&c.cert)
                .arg("-key")
                .arg(&c.key)
                .arg("-in")
                .arg(f)
                .arg("-out")
                .arg(f.with_extension("signed.ps1"));
            cmd
        })?;
        signing.push((n, batch, per_file, ossl));
    }
    // Every measured signature must be real: check one file of each tool with osslsigncode.
    {
        let probe = fresh_copies(&c, "probe-sign", &all_scripts[..2])?;
        let mut cmd = c.fixgen();
        cmd.arg("sign")
            .args(&probe)
            .arg("--cert")
            .arg(&c.cert)
            .arg("--key")
            .arg(&c.key);
        measure(&mut cmd, &c.log())?;
        verify_with_osslsigncode(&c, &probe[0])?;
        let signed = probe[1].with_extension("signed.ps1");
        output(
            Command::new(&c.osslsigncode)
                .args(["sign", "-h", "sha256", "-certs"])
                .arg(&c.cert)
                .arg("-key")
                .arg(&c.key)
                .arg("-in")
                .arg(&probe[1])
                .arg("-out")
                .arg(&signed),
        )?;
        verify_with_osslsigncode(&c, &signed)?;
    }
    // Before/after: the same measurements with an older binary, in the same run.
    let baseline = match std::env::var_os("FIXGEN_BENCH_BASELINE") {
        Some(bin) => {
            eprintln!("baseline binary {}", PathBuf::from(&bin).display());
            let b = Ctx {
                fixgen: PathBuf::from(bin),
                ..c.clone()
            };
            let mut rows: Vec<(String, Stats, Stats)> = Vec::new();
            let s = b.bench(b.runs, |b| {
                Ok(build_cmd(b, &b.fresh("base-l2tp"), &[], false, &[]))
            })?;
            rows.push(("L2TP build, unsigned".into(), s, l2tp_unsigned));
            let s = bench_signed_build(&b, "base-l2tp-signed", &[], &[], b.runs)?;
            rows.push(("L2TP build, signed".into(), s, l2tp_signed));
            for (n, after, ..) in &synth {
                if *n < 1000 {
                    continue;
                }
                let src = b.dir.join(format!("bundle-{n}"));
                let what = format!("base-build-{n}");
                let set = ["ServerAddress=vpn.example.com"];
                let s = b.bench(b.runs.min(3), |b| {
                    Ok(build_cmd(b, &b.fresh(&what), &[&src], false, &set))
                })?;
                rows.push((format!("build, {n} synthetic recipes"), s, *after));
            }
            for (n, batch, ..) in &signing {
                let s = bench_sign_batch(
                    &b,
                    &format!("base-batch-{n}"),
                    &all_scripts[..*n],
                    b.runs.min(3),
                )?;
                rows.push((
                    format!("`fixgen sign` of {n} scripts, one process"),
                    s,
                    *batch,
                ));
            }
            Some((b.fixgen.clone(), rows))
        }
        None => None,
    };
    let load_after = loadavg();

    // ----------------------------------------------------------------------------------------
    // Report.
    let _ = writeln!(
        md,
        "Run: {started}; load average before {load_before}, after {load_after}.  "
    );
    let _ = writeln!(md, "Machine: {}.  ", machine(&c));
    let _ = writeln!(
        md,
        "Each figure is the median of N runs of whole processes (one warm-up run first, not \
         counted); `min` is the fastest run. Peak RSS is the child's `ru_maxrss` (wait4). CPU is \
         user + system time of the process."
    );
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "### (a) `fixgen build` of the embedded L2TP bundle ({l2tp_files} files)"
    );
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "| Build | N | wall median | wall min | CPU | peak RSS | target | met |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---|---|");
    let signed_label = if c.build_signs {
        "signed, RSA-2048 (`--cert/--key`)"
    } else {
        "signed, RSA-2048 (build, then `fixgen sign` of every .ps1/.psm1/.psd1: two processes)"
    };
    let mut rows = vec![
        (
            format!("unsigned, output in the scratch folder ({scratch_fs})"),
            l2tp_unsigned,
            20.0,
        ),
        (
            format!("{signed_label}, output in the scratch folder ({scratch_fs})"),
            l2tp_signed,
            100.0,
        ),
    ];
    if let Some((u, s)) = l2tp_tmpfs {
        rows.push(("unsigned, output on tmpfs (/dev/shm)".to_string(), u, 20.0));
        rows.push((
            format!("{signed_label}, output on tmpfs (/dev/shm)"),
            s,
            100.0,
        ));
    }
    for (label, s, target) in &rows {
        let _ =
            writeln!(
            md,
            "| {label} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} MiB | < {target:.0} ms | {} |",
            s.runs,
            ms(s.wall_median),
            ms(s.wall_min),
            ms(s.cpu_median),
            mib(s.maxrss_kib),
            if ms(s.wall_median) < *target { "yes" } else { "no" }
        );
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "### (b) Synthetic bundles: `fixgen build` (and `fixgen check`)"
    );
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "Recipes cycle through five shapes (registry dword/string/multi_string + service; services + \
         registry delete; two firewall rules; VPN with a `--set` param, a default and a secret; \
         registry qword/binary + Windows Update), 1 to 4 steps each. Built with \
         `--target scripts,module,reg,gpo` (every target but Intune, whose bundle-wide remediation \
         script would pass Intune's 200,000-byte limit)."
    );
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "| Recipes | files out | output | N | build wall median | min | CPU | per recipe (wall) | peak RSS | signed build wall (peak RSS) | check wall | check recipes/s |"
    );
    let _ = writeln!(
        md,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for (n, b, signed, chk, files, bytes, _) in &synth {
        let _ = writeln!(
            md,
            "| {n} | {files} | {:.1} MiB | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.3} ms | {:.1} MiB | {:.1} ms ({:.1} MiB) | {:.1} ms | {:.0} |",
            *bytes as f64 / 1048576.0,
            b.runs,
            ms(b.wall_median),
            ms(b.wall_min),
            ms(b.cpu_median),
            ms(b.wall_median) / *n as f64,
            mib(b.maxrss_kib),
            ms(signed.wall_median),
            mib(signed.maxrss_kib),
            ms(chk.wall_median),
            *n as f64 / chk.wall_median.as_secs_f64(),
        );
    }
    let _ = writeln!(md);
    let growth = |a: usize, b: usize| -> Option<String> {
        let x = synth.iter().find(|s| s.0 == a)?;
        let y = synth.iter().find(|s| s.0 == b)?;
        Some(format!(
            "{a} -> {b} recipes ({:.0}x): build wall x{:.1}, CPU x{:.1}, peak RSS x{:.1}",
            b as f64 / a as f64,
            y.1.wall_median.as_secs_f64() / x.1.wall_median.as_secs_f64(),
            y.1.cpu_median.as_secs_f64() / x.1.cpu_median.as_secs_f64(),
            y.1.maxrss_kib as f64 / x.1.maxrss_kib as f64,
        ))
    };
    for (a, b) in [(100, 1000), (1000, 10_000)] {
        if let Some(g) = growth(a, b) {
            let _ = writeln!(md, "- Growth {g}.");
        }
    }
    if let Some((_, b, ..)) = synth.iter().find(|s| s.0 == 10_000) {
        let _ = writeln!(
            md,
            "- Target for 10,000 recipes: < 5 s wall and < 300 MiB peak RSS: {:.2} s, {:.1} MiB: {}.",
            b.wall_median.as_secs_f64(),
            mib(b.maxrss_kib),
            if b.wall_median.as_secs_f64() < 5.0 && mib(b.maxrss_kib) < 300.0 {
                "met"
            } else {
                "missed"
            }
        );
    }
    let _ = writeln!(md);
    let _ = writeln!(md, "### (c) Signing the same scripts: `fixgen sign` vs `osslsigncode sign` (RSA-2048, SHA-256)");
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "| Scripts | N | osslsigncode, 1 process/file | fixgen, 1 process/file | fixgen, 1 process for all | per file: osslsigncode / fixgen each / fixgen all | speed-up: per-file processes | speed-up: one fixgen process |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (n, batch, each, ossl) in &signing {
        let nf = *n as f64;
        let _ = writeln!(
            md,
            "| {n} | {} | {:.0} ms | {:.0} ms | {:.1} ms | {:.2} / {:.2} / {:.3} ms | {:.1}x | **{:.1}x** |",
            batch.runs,
            ms(ossl.wall_median),
            ms(each.wall_median),
            ms(batch.wall_median),
            ms(ossl.wall_median) / nf,
            ms(each.wall_median) / nf,
            ms(batch.wall_median) / nf,
            ossl.wall_median.as_secs_f64() / each.wall_median.as_secs_f64(),
            ossl.wall_median.as_secs_f64() / batch.wall_median.as_secs_f64(),
        );
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "OpenSSL, one RSA-2048 signature: {:.3} ms CPU (`openssl speed -seconds 3 rsa2048`: \
         `{speed_line}`), {:.3} ms wall (`openssl speed -elapsed -seconds 3 rsa2048`: \
         `{speed_wall_line}`).",
        speed * 1e3,
        speed_wall * 1e3
    );
    let _ = writeln!(md);
    if let (Some((_, b100, ..)), Some((_, b1000, ..))) = (
        signing.iter().find(|s| s.0 == 100),
        signing.iter().find(|s| s.0 == 1000),
    ) {
        let per_file = ms(b1000.wall_median) / 1000.0;
        let marginal = (ms(b1000.wall_median) - ms(b100.wall_median)) / 900.0;
        let marginal_cpu = (ms(b1000.cpu_median) - ms(b100.cpu_median)) / 900.0;
        let ossl1000 = signing.iter().find(|s| s.0 == 1000).map(|s| s.3);
        let ratio = ossl1000
            .map(|o| o.wall_median.as_secs_f64() / b1000.wall_median.as_secs_f64())
            .unwrap_or(0.0);
        let _ = writeln!(
            md,
            "- Target \"at least 20x faster than per-file osslsigncode\" compares how each tool is \
             used on a bundle: osslsigncode one process per file (as admins script it) against one \
             `fixgen sign` process for all files, 1,000 scripts: **{ratio:.1}x**: {}.",
            if ratio >= 20.0 { "met" } else { "missed" }
        );
        let per_file_cpu = ms(b1000.cpu_median) / 1000.0;
        let _ = writeln!(
            md,
            "- Target \"within 2x of OpenSSL's RSA-2048 cost per signature\": one `fixgen sign` \
             process for 1,000 scripts (reading, hashing, signing, writing and flushing each file, \
             plus process start and key loading) costs {per_file:.3} ms wall per script = \
             **{:.2}x** OpenSSL's {:.3} ms wall per signature: {}; in CPU time {per_file_cpu:.3} ms \
             per script = **{:.2}x** OpenSSL's {:.3} ms CPU: {}. The marginal cost of one more \
             script (1,000 minus 100 scripts, over 900) is {marginal:.3} ms wall, {marginal_cpu:.3} \
             ms CPU.",
            per_file / (speed_wall * 1e3),
            speed_wall * 1e3,
            if per_file <= 2.0 * speed_wall * 1e3 { "met" } else { "missed" },
            per_file_cpu / (speed * 1e3),
            speed * 1e3,
            if per_file_cpu <= 2.0 * speed * 1e3 { "met" } else { "missed" },
        );
    }
    let _ = writeln!(md);

    if let Some((bin, rows)) = &baseline {
        let _ = writeln!(
            md,
            "### Before/after (same run; before = `{}`)",
            bin.display()
        );
        let _ = writeln!(md);
        let _ = writeln!(md, "| Measurement | wall before | wall after | CPU before | CPU after | peak RSS before | peak RSS after |");
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
        for (label, before, after) in rows {
            let _ = writeln!(
                md,
                "| {label} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} MiB | {:.1} MiB |",
                ms(before.wall_median),
                ms(after.wall_median),
                ms(before.cpu_median),
                ms(after.cpu_median),
                mib(before.maxrss_kib),
                mib(after.maxrss_kib)
            );
        }
        let _ = writeln!(md);
    }
    print!("{md}");
    let out = std::env::var_os("FIXGEN_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("fixgen-bench.md")
        });
    if let Some(p) = out.parent() {
        let _ = fs::create_dir_all(p);
    }
    fs::write(&out, &md).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("fixgen bench: report written to {}", out.display());
    Ok(())
}

/// The current UTC time as `YYYY-MM-DD HH:MM UTC` (from `date`, to avoid a dependency).
fn chrono_like_now() -> String {
    first_line(Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]))
}
