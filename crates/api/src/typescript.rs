//! The TypeScript types of the API, generated from the Rust types so the UI cannot drift
//! from the server: one file, `ui/src/api/types.ts`, written by
//! `cargo run -p api --bin export-types`. A test fails when the committed file is stale.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ts_rs::{TypeVisitor, TS};

use crate::command::Command;

/// The command that rewrites the file; quoted in the stale-file test's message.
pub const EXPORT_COMMAND: &str = "cargo run -p api --bin export-types";

/// Where the file lives, relative to the workspace root.
pub const TYPES_PATH: &str = "ui/src/api/types.ts";

/// Collects declarations, each type once.
pub(crate) struct TypeScript {
    cfg: ts_rs::Config,
    seen: HashSet<TypeId>,
    /// By type name, so the file's order does not depend on declaration order.
    decls: BTreeMap<String, String>,
    /// `name: { request: …; response: … }` lines of the `Commands` map, in registry order.
    commands: Vec<String>,
}

impl TypeScript {
    fn new() -> TypeScript {
        TypeScript {
            // Unix times and counters fit in a double; JSON.parse yields numbers, not bigints.
            cfg: ts_rs::Config::new().with_large_int("number"),
            seen: HashSet::new(),
            decls: BTreeMap::new(),
            commands: Vec::new(),
        }
    }

    /// Declares a command's request and response types and its entry in `Commands`.
    pub(crate) fn command<C: Command>(&mut self) {
        self.declare::<C>();
        self.declare::<C::Response>();
        self.commands.push(format!(
            "  {}: {{ request: {}; response: {} }};",
            C::NAME,
            C::name(&self.cfg),
            <C::Response as TS>::name(&self.cfg)
        ));
    }

    /// Declares `T` and, recursively, every named type it uses.
    pub(crate) fn declare<T: TS + 'static + ?Sized>(&mut self) {
        self.visit::<T>();
    }
}

impl TypeVisitor for TypeScript {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Only derived types have a declaration (and an output path); `Vec<T>`, `String`
        // and the like are written inline.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let mut decl = String::new();
        if let Some(docs) = T::docs() {
            decl.push_str(&docs);
        }
        decl.push_str("export ");
        decl.push_str(&T::decl(&self.cfg));
        self.decls.insert(T::ident(&self.cfg), decl);
        T::visit_dependencies(self);
    }
}

/// The whole content of `ui/src/api/types.ts`.
pub fn generate() -> String {
    let mut ts = TypeScript::new();
    crate::registry::declare_typescript(&mut ts);
    crate::wire::declare_typescript(&mut ts);

    let mut out = String::new();
    out.push_str("// Generated from the Rust types in crates/api. Do not edit by hand:\n");
    out.push_str(&format!(
        "// run `{EXPORT_COMMAND}` after changing them.\n\n"
    ));
    out.push_str("/** Every command: its request and response types, by name. */\n");
    out.push_str("export type Commands = {\n");
    for line in &ts.commands {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("};\n\n");
    out.push_str("export type CommandName = keyof Commands;\n");
    for decl in ts.decls.values() {
        out.push('\n');
        out.push_str(decl.trim_end());
        out.push('\n');
    }
    out
}
