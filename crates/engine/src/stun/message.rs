//! STUN Binding messages (RFC 5389), sans-IO: just enough to ask a STUN server which
//! address and port it sees us at, and to read its answer.
//!
//! A request is a 20-byte header with no attributes; the answer carries our address in
//! XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS from an RFC 3489 server).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// RFC 5389 §6: the fixed value that tells STUN from other protocols on the same port.
const MAGIC_COOKIE: u32 = 0x2112_A442;
const HEADER_LEN: usize = 20;

/// RFC 5389 §6: Binding request, success response and error response.
const BINDING_REQUEST: u16 = 0x0001;
const BINDING_SUCCESS: u16 = 0x0101;
const BINDING_ERROR: u16 = 0x0111;

/// RFC 5389 §15.1 and §15.2.
const MAPPED_ADDRESS: u16 = 0x0001;
const XOR_MAPPED_ADDRESS: u16 = 0x0020;

const FAMILY_V4: u8 = 0x01;
const FAMILY_V6: u8 = 0x02;

/// The 96-bit transaction ID that pairs a response with its request (RFC 5389 §6).
pub type TransactionId = [u8; 12];

/// Why an answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StunError {
    #[error("not a STUN message")]
    NotStun,
    #[error("answer to another request")]
    OtherTransaction,
    #[error("the STUN server refused the request")]
    Refused,
    #[error("the STUN answer has no address")]
    NoAddress,
}

/// A Binding request with the given transaction ID.
pub fn binding_request(id: &TransactionId) -> [u8; HEADER_LEN] {
    header(BINDING_REQUEST, 0, id)
}

/// The address a Binding success response to request `id` reports.
///
/// RFC 5389 §7.3.1: XOR-MAPPED-ADDRESS is preferred; MAPPED-ADDRESS is read only when it
/// is absent (a server of the older RFC 3489).
pub fn read_binding_response(bytes: &[u8], id: &TransactionId) -> Result<SocketAddr, StunError> {
    let (kind, body) = parse_header(bytes, id)?;
    if kind == BINDING_ERROR {
        return Err(StunError::Refused);
    }
    if kind != BINDING_SUCCESS {
        return Err(StunError::NotStun);
    }
    let mut mapped = None;
    for (attribute, value) in attributes(body) {
        match attribute {
            XOR_MAPPED_ADDRESS => {
                if let Some(addr) = read_address(value, Some(id)) {
                    return Ok(addr);
                }
            }
            MAPPED_ADDRESS => mapped = mapped.or_else(|| read_address(value, None)),
            _ => {}
        }
    }
    mapped.ok_or(StunError::NoAddress)
}

/// The transaction ID of a Binding request, for a server answering it.
pub fn read_binding_request(bytes: &[u8]) -> Option<TransactionId> {
    let id: TransactionId = bytes.get(8..HEADER_LEN)?.try_into().ok()?;
    match parse_header(bytes, &id) {
        Ok((BINDING_REQUEST, _)) => Some(id),
        _ => None,
    }
}

/// A Binding success response telling the client it was seen at `seen`.
pub fn binding_success(id: &TransactionId, seen: SocketAddr) -> Vec<u8> {
    let value = xor_address(seen, id);
    let attribute_len = 4 + value.len();
    let mut out = header(BINDING_SUCCESS, attribute_len as u16, id).to_vec();
    out.extend_from_slice(&XOR_MAPPED_ADDRESS.to_be_bytes());
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(&value);
    out
}

fn header(kind: u16, len: u16, id: &TransactionId) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    out[0..2].copy_from_slice(&kind.to_be_bytes());
    out[2..4].copy_from_slice(&len.to_be_bytes());
    out[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    out[8..20].copy_from_slice(id);
    out
}

/// The message type and attribute bytes, after the checks of RFC 5389 §7.3: top two bits
/// zero, the magic cookie, a length that fits, and our transaction ID.
fn parse_header<'a>(bytes: &'a [u8], id: &TransactionId) -> Result<(u16, &'a [u8]), StunError> {
    let head = bytes.get(..HEADER_LEN).ok_or(StunError::NotStun)?;
    let kind = u16::from_be_bytes([head[0], head[1]]);
    let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
    let cookie = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
    if kind & 0xC000 != 0 || cookie != MAGIC_COOKIE || len % 4 != 0 {
        return Err(StunError::NotStun);
    }
    let body = bytes
        .get(HEADER_LEN..HEADER_LEN + len)
        .ok_or(StunError::NotStun)?;
    if &head[8..20] != id {
        return Err(StunError::OtherTransaction);
    }
    Ok((kind, body))
}

/// Each attribute's type and value; RFC 5389 §15: values are padded to four bytes.
fn attributes(mut body: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let kind = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
        let len = usize::from(u16::from_be_bytes([*body.get(2)?, *body.get(3)?]));
        let value = body.get(4..4 + len)?;
        let padded = 4 + len.div_ceil(4) * 4;
        body = body.get(padded..).unwrap_or(&[]);
        Some((kind, value))
    })
}

/// RFC 5389 §15.1/§15.2: family, port and address; XORed with the cookie (and for IPv6
/// the transaction ID) when `xor` gives the ID.
fn read_address(value: &[u8], xor: Option<&TransactionId>) -> Option<SocketAddr> {
    let family = *value.get(1)?;
    let mut port = u16::from_be_bytes([*value.get(2)?, *value.get(3)?]);
    let mask = xor.map(mask);
    if mask.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    let unmask = |raw: &[u8]| -> Vec<u8> {
        raw.iter()
            .zip(mask.unwrap_or([0; 16]))
            .map(|(b, m)| b ^ m)
            .collect()
    };
    let ip = match family {
        FAMILY_V4 => {
            let raw: [u8; 4] = unmask(value.get(4..8)?).try_into().ok()?;
            IpAddr::V4(Ipv4Addr::from(raw))
        }
        FAMILY_V6 => {
            let raw: [u8; 16] = unmask(value.get(4..20)?).try_into().ok()?;
            IpAddr::V6(Ipv6Addr::from(raw))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn xor_address(addr: SocketAddr, id: &TransactionId) -> Vec<u8> {
    let mask = mask(id);
    let port = addr.port() ^ (MAGIC_COOKIE >> 16) as u16;
    let (family, raw) = match addr.ip() {
        IpAddr::V4(v4) => (FAMILY_V4, v4.octets().to_vec()),
        IpAddr::V6(v6) => (FAMILY_V6, v6.octets().to_vec()),
    };
    let mut out = vec![0, family];
    out.extend_from_slice(&port.to_be_bytes());
    out.extend(raw.iter().zip(mask).map(|(b, m)| b ^ m));
    out
}

/// The magic cookie followed by the transaction ID: what an address is XORed with.
fn mask(id: &TransactionId) -> [u8; 16] {
    let mut mask = [0u8; 16];
    mask[..4].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    mask[4..].copy_from_slice(id);
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: TransactionId = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    #[test]
    fn rfc_5769_sample_ipv4_response_is_read() {
        // RFC 5769 §2.2, with the SOFTWARE, MESSAGE-INTEGRITY and FINGERPRINT attributes.
        let bytes: Vec<u8> = [
            "0101003c2112a442b7e7a701bc34d686fa87dfae",
            "8022000b",
            "7465737420766563746f7220",
            "00200008",
            "0001a147e112a643",
            "00080014",
            "2b91f599fd9e90c38c7489f92af9ba53f06be7d7",
            "80280004",
            "c07d4c96",
        ]
        .concat()
        .as_bytes()
        .chunks(2)
        .map(|h| u8::from_str_radix(std::str::from_utf8(h).expect("hex"), 16).expect("hex"))
        .collect();
        let id: TransactionId = bytes[8..20].try_into().expect("id");
        assert_eq!(
            read_binding_response(&bytes, &id),
            Ok("192.0.2.1:32853".parse().expect("addr"))
        );
    }

    #[test]
    fn a_response_round_trips_in_both_families() {
        for seen in ["203.0.113.9:40123", "[2001:db8::42]:5060"] {
            let seen: SocketAddr = seen.parse().expect("addr");
            let bytes = binding_success(&ID, seen);
            assert_eq!(read_binding_response(&bytes, &ID), Ok(seen));
        }
    }

    #[test]
    fn a_request_is_recognised_by_a_server() {
        assert_eq!(read_binding_request(&binding_request(&ID)), Some(ID));
        assert_eq!(read_binding_request(b"OPTIONS sip:a SIP/2.0\r\n\r\n"), None);
    }

    #[test]
    fn answers_to_other_requests_and_garbage_are_refused() {
        let bytes = binding_success(&ID, "203.0.113.9:1".parse().expect("addr"));
        let other = [9; 12];
        assert_eq!(
            read_binding_response(&bytes, &other),
            Err(StunError::OtherTransaction)
        );
        assert_eq!(
            read_binding_response(&bytes[..25], &ID),
            Err(StunError::NotStun)
        );
        assert_eq!(read_binding_response(&[], &ID), Err(StunError::NotStun));
        let error = header(BINDING_ERROR, 0, &ID);
        assert_eq!(read_binding_response(&error, &ID), Err(StunError::Refused));
        let empty = header(BINDING_SUCCESS, 0, &ID);
        assert_eq!(
            read_binding_response(&empty, &ID),
            Err(StunError::NoAddress)
        );
    }

    #[test]
    fn a_truncated_attribute_does_not_panic() {
        let mut bytes = header(BINDING_SUCCESS, 8, &ID).to_vec();
        bytes.extend_from_slice(&[0x00, 0x20, 0x00, 0x40, 0, 1, 0, 0]);
        assert_eq!(
            read_binding_response(&bytes, &ID),
            Err(StunError::NoAddress)
        );
    }
}
