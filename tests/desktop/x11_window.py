#!/usr/bin/python3
"""Closes or inspects the app's top-level X11 window as a window manager would.

    x11_window.py close TITLE   asks every window titled TITLE to close (WM_DELETE_WINDOW,
                                the message a window's close button sends)
    x11_window.py state TITLE   prints "viewable", "hidden" or "absent"
    x11_window.py colours TITLE prints how many distinct colours the X server shows in the
                                viewable window titled TITLE (what the screen shows, not
                                WebKit's own snapshot: a page painted only inside WebKit
                                but never reaching the window counts 1)

Under a bare Xvfb there is no window manager to press the close button, so the test sends
the same message itself.
"""

import sys

from Xlib import X, display
from Xlib.protocol import event


def windows_titled(d, title):
    found = []
    for w in d.screen().root.query_tree().children:
        try:
            name = w.get_full_text_property(d.intern_atom("_NET_WM_NAME")) or w.get_wm_name()
        except Exception:  # the window went away while we looked
            continue
        if name == title:
            found.append(w)
    return found


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("close", "state", "colours"):
        print(__doc__, file=sys.stderr)
        return 2
    command, title = sys.argv[1], sys.argv[2]
    d = display.Display()
    windows = windows_titled(d, title)
    if command == "state":
        if not windows:
            print("absent")
        elif any(w.get_attributes().map_state == X.IsViewable for w in windows):
            print("viewable")
        else:
            print("hidden")
        return 0
    if command == "colours":
        shown = [w for w in windows if w.get_attributes().map_state == X.IsViewable]
        if not shown:
            return 1
        geometry = shown[0].get_geometry()
        image = shown[0].get_image(0, 0, geometry.width, geometry.height, X.ZPixmap, 0xFFFFFFFF)
        pixels = image.data
        print(len({pixels[i : i + 4] for i in range(0, len(pixels) - 3, 4)}))
        return 0
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    for w in windows:
        message = event.ClientMessage(
            window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
        w.send_event(message, event_mask=X.NoEventMask)
    d.sync()
    print(len(windows))
    return 0 if windows else 1


if __name__ == "__main__":
    sys.exit(main())
