//! A minimal SOCKS5 server (RFC 1928, CONNECT only, with the optional
//! username/password method of RFC 1929) on loopback, for the proxy tests.
//! It records what each client asked for, and "resolves" every domain name
//! to 127.0.0.1 itself, so a name that only the proxy knows still works.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// What one client asked the proxy for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    /// An address the client resolved itself (`socks5://`).
    Ip(SocketAddr),
    /// A name left for the proxy to resolve (`socks5h://`), and the port.
    Name(String, u16),
}

pub struct Socks5 {
    pub port: u16,
    /// Every CONNECT request, in order.
    pub asked: Arc<Mutex<Vec<Asked>>>,
    /// Every username/password pair received.
    pub credentials: Arc<Mutex<Vec<(String, String)>>>,
}

impl Socks5 {
    pub fn url(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    pub fn tunnels(&self) -> usize {
        self.asked.lock().unwrap().len()
    }
}

/// Starts the server; with `require_password`, clients must authenticate
/// (any username and password are accepted and recorded).
pub fn start_socks5(require_password: bool) -> Socks5 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let credentials = Arc::new(Mutex::new(Vec::new()));
    let (a, c) = (asked.clone(), credentials.clone());
    thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { continue };
            let (a, c) = (a.clone(), c.clone());
            thread::spawn(move || {
                let _ = serve(client, require_password, &a, &c);
            });
        }
    });
    Socks5 {
        port,
        asked,
        credentials,
    }
}

fn read_n(s: &mut TcpStream, n: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0; n];
    s.read_exact(&mut buf)?;
    Ok(buf)
}

fn serve(
    mut client: TcpStream,
    require_password: bool,
    asked: &Mutex<Vec<Asked>>,
    credentials: &Mutex<Vec<(String, String)>>,
) -> std::io::Result<()> {
    let head = read_n(&mut client, 2)?;
    assert_eq!(head[0], 5, "SOCKS version");
    let methods = read_n(&mut client, head[1] as usize)?;
    let wanted = if require_password { 2 } else { 0 };
    if !methods.contains(&wanted) {
        client.write_all(&[5, 0xff])?;
        return Ok(());
    }
    client.write_all(&[5, wanted])?;
    if require_password {
        let ver_len = read_n(&mut client, 2)?;
        let user = read_n(&mut client, ver_len[1] as usize)?;
        let plen = read_n(&mut client, 1)?;
        let pass = read_n(&mut client, plen[0] as usize)?;
        credentials.lock().unwrap().push((
            String::from_utf8_lossy(&user).into_owned(),
            String::from_utf8_lossy(&pass).into_owned(),
        ));
        client.write_all(&[1, 0])?;
    }
    let req = read_n(&mut client, 4)?;
    assert_eq!(&req[..3], &[5, 1, 0], "CONNECT request");
    let what = match req[3] {
        1 => {
            let ip: [u8; 4] = read_n(&mut client, 4)?.try_into().unwrap();
            let port = read_n(&mut client, 2)?;
            Asked::Ip(SocketAddr::new(
                Ipv4Addr::from(ip).into(),
                u16::from_be_bytes([port[0], port[1]]),
            ))
        }
        4 => {
            let ip: [u8; 16] = read_n(&mut client, 16)?.try_into().unwrap();
            let port = read_n(&mut client, 2)?;
            Asked::Ip(SocketAddr::new(
                Ipv6Addr::from(ip).into(),
                u16::from_be_bytes([port[0], port[1]]),
            ))
        }
        3 => {
            let len = read_n(&mut client, 1)?;
            let name = read_n(&mut client, len[0] as usize)?;
            let port = read_n(&mut client, 2)?;
            Asked::Name(
                String::from_utf8_lossy(&name).into_owned(),
                u16::from_be_bytes([port[0], port[1]]),
            )
        }
        _ => return Ok(()),
    };
    asked.lock().unwrap().push(what.clone());
    let target = match what {
        Asked::Ip(addr) => addr,
        Asked::Name(_, port) => SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port),
    };
    let Ok(upstream) = TcpStream::connect(target) else {
        client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0])?;
        return Ok(());
    };
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    let (mut c2, mut u2) = (client.try_clone()?, upstream.try_clone()?);
    let (mut c1, mut u1) = (client, upstream);
    thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut u1, &mut c1);
    let _ = c1.shutdown(std::net::Shutdown::Write);
    Ok(())
}
