//! `pack-appimage APPDIR OUT.AppImage`: the AppDir (with its AppRun, .desktop file and icon)
//! becomes one executable file.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

fn main() -> anyhow::Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [appdir, out] = args.as_slice() else {
        bail!("usage: pack-appimage APPDIR OUT.AppImage");
    };
    for required in ["AppRun", ".DirIcon"] {
        if !appdir.join(required).exists() {
            bail!("{} has no {required}", appdir.display());
        }
    }
    // The crate builds its AppDir inside a work folder named after the app; copy ours there.
    let work = out.with_extension("work");
    let name = "Switchboard";
    let image = appimage::AppImage::new(&work, name.to_owned())?;
    copy_tree(appdir, image.appdir()).context("copying the AppDir")?;
    image.build(out, None)?;
    std::fs::remove_dir_all(&work).ok();
    println!("{}", out.display());
    Ok(())
}

/// Copies files, folders and symlinks (AppRun and .DirIcon may be links).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if kind.is_symlink() {
            let target = std::fs::read_link(entry.path())?;
            std::os::unix::fs::symlink(target, dest)?;
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}
