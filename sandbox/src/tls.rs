//! A throw-away test CA and a server certificate for 127.0.0.1, ::1 and
//! localhost, made fresh at every start.
//!
//! The CA only signs; the server presents a separate leaf (rustls rightly
//! rejects a CA certificate used as a server certificate).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

/// The generated material: the CA (PEM, for clients' `ca_file`) and the
/// server's rustls configuration.
pub struct TestPki {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// Ready-made server config (HTTP/1.1, leaf signed by the CA).
    pub server: Arc<ServerConfig>,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("cannot create the sandbox's test certificates: {e}")
}

/// Makes a CA and a leaf certificate, and a rustls server config with them.
pub fn generate() -> Result<TestPki, String> {
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.distinguished_name.push(
        DnType::CommonName,
        "justclick-sandbox test CA (not trusted anywhere)",
    );
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca, &ca_key);

    let leaf_key = KeyPair::generate().map_err(err)?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).map_err(err)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    leaf.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(err)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(err)?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TestPki {
        ca_pem: ca_cert.pem(),
        server: Arc::new(server),
    })
}
