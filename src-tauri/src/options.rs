//! The desktop app's command line. Every option is optional: the settings saved from the
//! admin screens (in the data folder's database) are used for what is not given.

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "switchboard-desktop",
    version,
    about = "Switchboard: the office phone system in a window, with a tray icon"
)]
pub struct Options {
    /// Folder for the database and audio files [default: the OS data folder, e.g.
    /// ~/.local/share/switchboard, the same as `switchboard serve`]
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Address to take SIP on, over UDP and TCP; repeat for several [default: the saved
    /// setting, first 0.0.0.0:5060 and [::]:5060]
    #[arg(long = "listen", value_name = "ADDR")]
    pub listen: Vec<SocketAddr>,

    /// UDP ports for relayed audio, LO-HI [default: the saved setting]
    #[arg(long, value_name = "LO-HI", value_parser = parse_port_range)]
    pub rtp_ports: Option<RangeInclusive<u16>>,

    /// Where to serve the admin API and pages [default: the saved setting, first
    /// 127.0.0.1:8080; a free port on 127.0.0.1 when that one is taken]
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,

    /// Start in the tray without opening the window (for starting with the desktop session)
    #[arg(long)]
    pub hidden: bool,

    /// Log filter, e.g. `info` or `engine=debug` [default: $RUST_LOG, else the saved setting]
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,

    /// A `sip:`, `tel:` or `callto:` link to call (how the desktop opens the app for a
    /// clicked link); a running app takes the call over
    #[arg(value_name = "LINK")]
    pub link: Option<String>,
}

/// `LO-HI` with LO ≤ HI and room for at least one call (two ports).
fn parse_port_range(s: &str) -> Result<RangeInclusive<u16>, String> {
    let (lo, hi) = s
        .split_once('-')
        .ok_or_else(|| "expected LO-HI, e.g. 10000-19999".to_owned())?;
    let lo: u16 = lo.trim().parse().map_err(|_| format!("bad port {lo:?}"))?;
    let hi: u16 = hi.trim().parse().map_err(|_| format!("bad port {hi:?}"))?;
    if lo == 0 || hi <= lo {
        return Err("need 1 <= LO < HI".to_owned());
    }
    Ok(lo..=hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn nothing_given_leaves_everything_to_the_settings() {
        let o = Options::try_parse_from(["switchboard-desktop"]).unwrap();
        assert!(o.data.is_none() && o.listen.is_empty() && o.rtp_ports.is_none());
        assert!(o.http.is_none() && !o.hidden && o.link.is_none());
    }

    #[test]
    fn a_clicked_link_comes_as_the_one_free_argument() {
        let o = Options::try_parse_from(["x", "--hidden", "tel:+1-555-0100"]).unwrap();
        assert_eq!(o.link.as_deref(), Some("tel:+1-555-0100"));
    }

    #[test]
    fn options_given_are_parsed() {
        let o = Options::try_parse_from([
            "switchboard-desktop",
            "--data",
            "/tmp/sb",
            "--listen",
            "127.0.0.1:5070",
            "--listen",
            "[::1]:5070",
            "--rtp-ports",
            "20000-20099",
            "--http",
            "127.0.0.1:0",
            "--hidden",
        ])
        .unwrap();
        assert_eq!(o.data, Some(PathBuf::from("/tmp/sb")));
        assert_eq!(o.listen.len(), 2);
        assert_eq!(o.rtp_ports, Some(20000..=20099));
        assert_eq!(o.http, Some(SocketAddr::from(([127, 0, 0, 1], 0))));
        assert!(o.hidden);
    }

    #[test]
    fn bad_port_ranges_are_refused() {
        assert!(parse_port_range("10000").is_err());
        assert!(parse_port_range("20000-10000").is_err());
        assert!(parse_port_range("0-100").is_err());
        assert!(Options::try_parse_from(["x", "--rtp-ports", "5-5"]).is_err());
    }
}
