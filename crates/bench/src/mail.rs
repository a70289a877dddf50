//! `bench mail`: inbound mail throughput on a fresh database. Messages per second through
//! `ventanilla mail deliver` (one process per message, as an MTA pipe runs it) and through
//! the SMTP listener of a running server with N concurrent senders (each on its own
//! connection), plus the p50/p99 of one ingest as the sender sees it (end of DATA → 250).
//! Every message is new (its own Message-ID), so each one opens a ticket.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::server::{Server, cli, ventanilla_binary};

/// One side's numbers.
#[derive(Debug, serde::Serialize)]
pub struct Side {
    pub door: &'static str,
    pub senders: usize,
    pub messages: usize,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn message(n: usize, run: u128) -> String {
    format!(
        "From: Persona {s} <persona{s}@cliente.example>\r\nTo: soporte@desk.example\r\nSubject: Incidencia de prueba {n}\r\nMessage-ID: <bench-{run}-{n}@cliente.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLa impresora de la planta {n} no imprime. Mensaje {n} del banco de pruebas.\r\n",
        s = n % 200
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn side(door: &'static str, senders: usize, mut lat: Vec<f64>, secs: f64) -> Side {
    lat.sort_by(f64::total_cmp);
    Side {
        door,
        senders,
        messages: lat.len(),
        seconds: secs,
        per_second: lat.len() as f64 / secs.max(1e-9),
        p50_ms: percentile(&lat, 0.50),
        p99_ms: percentile(&lat, 0.99),
    }
}

async fn expect(
    r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    code: &str,
) -> anyhow::Result<()> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await? == 0 {
            bail!("connection closed waiting for {code}");
        }
        if line.len() >= 4 && &line[3..4] == "-" {
            continue;
        }
        if !line.starts_with(code) {
            bail!("expected {code}, got {}", line.trim());
        }
        return Ok(());
    }
}

/// One sender: its own connection, `count` messages, the latency of each.
async fn sender(port: u16, first: usize, count: usize, run: u128) -> anyhow::Result<Vec<f64>> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    expect(&mut r, "220").await?;
    w.write_all(b"EHLO bench.test\r\n").await?;
    expect(&mut r, "250").await?;
    let mut lat = Vec::with_capacity(count);
    for n in first..first + count {
        w.write_all(
            b"MAIL FROM:<bench@cliente.example>\r\nRCPT TO:<soporte@desk.example>\r\nDATA\r\n",
        )
        .await?;
        expect(&mut r, "250").await?;
        expect(&mut r, "250").await?;
        expect(&mut r, "354").await?;
        w.write_all(message(n, run).as_bytes()).await?;
        let t = Instant::now();
        w.write_all(b".\r\n").await?;
        expect(&mut r, "250").await?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    w.write_all(b"QUIT\r\n").await?;
    Ok(lat)
}

/// Runs both doors on fresh SQLite databases under `out` and prints a Markdown table.
pub fn run(
    bin: Option<std::path::PathBuf>,
    pipe_messages: usize,
    smtp_messages: usize,
    senders: usize,
    out: &Path,
) -> anyhow::Result<Vec<Side>> {
    let bin = ventanilla_binary(bin)?;
    std::fs::create_dir_all(out)?;
    // Fresh databases per run: the process id keeps Message-IDs apart between runs anyway.
    let run = u128::from(std::process::id());
    let fresh = |name: &str| -> anyhow::Result<String> {
        let path = out.join(name);
        for ext in ["", "-wal", "-shm", ".migrate-lock"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        let url = format!("sqlite://{}", path.display());
        cli(&bin, &["migrate", "--database-url", &url], None)?;
        Ok(url)
    };
    // The pipe: one process per message.
    let url = fresh("mail-pipe.db")?;
    let mut lat = Vec::with_capacity(pipe_messages);
    let started = Instant::now();
    for n in 0..pipe_messages {
        let t = Instant::now();
        let said = cli(
            &bin,
            &["mail", "deliver", "--database-url", &url],
            Some(&message(n, run)),
        )?;
        if !said.contains("(ticket)") {
            bail!("mail deliver did not open a ticket: {said}");
        }
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let pipe = side("mail deliver", 1, lat, started.elapsed().as_secs_f64());
    // The SMTP listener of a running server.
    let url = fresh("mail-smtp.db")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server::start_with_env(
        &bin,
        &url,
        &out.join("mail-server.log"),
        &[
            ("VENTANILLA__MAIL__INTAKE__SMTP__ENABLED", "true"),
            ("VENTANILLA__MAIL__INTAKE__SMTP__LISTEN", &listen),
        ],
    )?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let per = smtp_messages.div_ceil(senders.max(1));
    let (lat, secs) = rt.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if Instant::now() > deadline {
                bail!("the SMTP listener did not open");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let started = Instant::now();
        let run = Arc::new(run);
        let tasks: Vec<_> = (0..senders)
            .map(|i| {
                let run = *run;
                tokio::spawn(async move { sender(port, i * per, per, run).await })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.context("sender task")??);
        }
        Ok::<_, anyhow::Error>((all, started.elapsed().as_secs_f64()))
    })?;
    drop(server);
    let smtp = side("SMTP listener", senders, lat, secs);
    println!("| door | senders | messages | seconds | messages/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|");
    for s in [&pipe, &smtp] {
        println!(
            "| {} | {} | {} | {:.2} | {:.0} | {:.1} | {:.1} |",
            s.door, s.senders, s.messages, s.seconds, s.per_second, s.p50_ms, s.p99_ms
        );
    }
    let sides = vec![pipe, smtp];
    std::fs::write(out.join("mail.json"), serde_json::to_string_pretty(&sides)?)?;
    Ok(sides)
}
