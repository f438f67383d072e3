//! `switchboard extension …`: the staff numbers and the credentials their phones use.

use std::path::Path;

use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use store::{Binding, Store};

use crate::{lan_address, now_unix, time_format};

/// Realm used when none is given; `serve` defaults to the same one.
pub const DEFAULT_REALM: &str = "switchboard";

#[derive(Subcommand)]
pub enum Command {
    /// Create an extension with a generated password (shown once)
    Add {
        /// 2 to 10 digits; also the phone's SIP username
        number: String,
        /// Name shown on the phones this extension calls
        #[arg(long)]
        name: String,
        /// Digest realm the password is hashed for; must match `serve --realm`
        #[arg(long, default_value = DEFAULT_REALM)]
        realm: String,
        /// Print {"number", "name", "password"} as one JSON line
        #[arg(long)]
        json: bool,
    },
    /// List extensions and their registered phones
    List {
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },
    /// Delete an extension and its registrations
    Remove {
        /// The extension's number
        number: String,
    },
    /// Turn do not disturb on or off (the phone: *78 / *79)
    Dnd {
        /// The extension's number
        number: String,
        #[arg(value_enum)]
        switch: crate::forwarding::Switch,
    },
    /// Forward calls to a number, or stop with `off` (the phone: *72 *90 *52 + number)
    Forward {
        /// The extension's number
        number: String,
        #[arg(value_enum)]
        kind: crate::forwarding::Kind,
        /// An extension, ring group or outside number; `off` stops this forward
        target: String,
    },
}

pub fn run(command: Command, data_dir: &Path) -> anyhow::Result<()> {
    let store = open(data_dir)?;
    match command {
        Command::Add {
            number,
            name,
            realm,
            json,
        } => add(&store, &number, &name, &realm, json),
        Command::List { json } => list(&store, json),
        Command::Remove { number } => {
            store.remove_extension(&number)?;
            println!("Extension {number} removed; its phones can no longer register.");
            Ok(())
        }
        Command::Dnd { number, switch } => crate::forwarding::dnd(&store, &number, switch),
        Command::Forward {
            number,
            kind,
            target,
        } => crate::forwarding::forward(&store, &number, kind, &target),
    }
}

pub fn open(data_dir: &Path) -> anyhow::Result<Store> {
    Store::open(data_dir)
        .with_context(|| format!("cannot open the database in {}", data_dir.display()))
}

#[derive(Serialize)]
struct Added<'a> {
    number: &'a str,
    name: &'a str,
    password: &'a str,
}

fn add(store: &Store, number: &str, name: &str, realm: &str, json: bool) -> anyhow::Result<()> {
    let created = store.create_extension(number, name, realm, now_unix())?;
    let ext = &created.extension;
    if json {
        let line = serde_json::to_string(&Added {
            number: &ext.number,
            name: &ext.name,
            password: &created.password,
        })?;
        println!("{line}");
        return Ok(());
    }
    let server = lan_address::guess().map_or_else(
        || "<this computer's IP address>".to_owned(),
        |ip| ip.to_string(),
    );
    println!("Extension {} ({}) created.", ext.number, ext.name);
    println!();
    println!("  SIP username: {}", ext.number);
    println!("  Password:     {}", created.password);
    println!();
    println!("The password is shown only this once; write it into the phone now.");
    println!("Phone settings (account / SIP line):");
    println!(
        "  SIP server (registrar, proxy): {server}, port 5060 (or the one `serve --listen` uses)"
    );
    println!("  User name and auth user:       {}", ext.number);
    println!("  Password:                      {}", created.password);
    println!("  Realm (if the phone asks):     {}", ext.realm);
    Ok(())
}

#[derive(Serialize)]
struct Listed {
    number: String,
    name: String,
    realm: String,
    created_at: i64,
    devices: Vec<Binding>,
}

fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let now = now_unix();
    let mut listed = Vec::new();
    for ext in store.extensions()? {
        let devices = store
            .bindings(&ext.number)?
            .into_iter()
            .filter(|b| b.expires_at > now)
            .collect();
        listed.push(Listed {
            number: ext.number,
            name: ext.name,
            realm: ext.realm,
            created_at: ext.created_at,
            devices,
        });
    }
    if json {
        println!("{}", serde_json::to_string(&listed)?);
        return Ok(());
    }
    if listed.is_empty() {
        println!(
            "No extensions yet. Add one: switchboard extension add 201 --name \"Alice Smith\""
        );
        return Ok(());
    }
    let name_width = listed
        .iter()
        .map(|e| e.name.chars().count())
        .chain([4])
        .max()
        .unwrap_or(4);
    println!("{:<10}  {:<name_width$}  DEVICES", "NUMBER", "NAME");
    for ext in &listed {
        let mut lines = ext.devices.iter().map(|b| describe(b, now));
        let first = lines.next().unwrap_or_else(|| "not registered".to_owned());
        println!("{:<10}  {:<name_width$}  {first}", ext.number, ext.name);
        for line in lines {
            println!("{:<10}  {:<name_width$}  {line}", "", "");
        }
    }
    Ok(())
}

/// One registered phone: where it is, what it is, how long the registration lasts.
fn describe(b: &Binding, now: i64) -> String {
    let mut s = format!(
        "{} via {} from {}, expires in {}",
        b.contact,
        b.transport,
        b.source,
        time_format::duration(b.expires_at - now)
    );
    if let Some(ua) = &b.user_agent {
        s.push_str(&format!(" ({ua})"));
    }
    s
}
