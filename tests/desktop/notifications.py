#!/usr/bin/python3
"""A desktop's notification server, for tests: owns org.freedesktop.Notifications on the
session bus (the Desktop Notifications Specification, 1.2) and prints each notification it
is asked to show as one JSON line {"summary": ..., "body": ...} on stdout. Prints "ready"
once it owns the name. Runs until killed.
"""

import json
import sys

from gi.repository import Gio, GLib

INTERFACE = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
  </interface>
</node>
"""

shown = 0


def on_call(_conn, _sender, _path, _iface, method, params, invocation):
    global shown
    if method == "Notify":
        _app, _replaces, _icon, summary, body = params.unpack()[:5]
        shown += 1
        print(json.dumps({"summary": summary, "body": body}), flush=True)
        invocation.return_value(GLib.Variant("(u)", (shown,)))
    elif method == "CloseNotification":
        invocation.return_value(None)
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["body"],)))
    else:
        invocation.return_value(GLib.Variant("(ssss)", ("test", "switchboard", "1", "1.2")))


def on_bus(conn, _name):
    node = Gio.DBusNodeInfo.new_for_xml(INTERFACE)
    conn.register_object("/org/freedesktop/Notifications", node.interfaces[0], on_call, None, None)


def main():
    Gio.bus_own_name(
        Gio.BusType.SESSION,
        "org.freedesktop.Notifications",
        Gio.BusNameOwnerFlags.NONE,
        on_bus,
        lambda *_: print("ready", flush=True),
        lambda *_: sys.exit("cannot own org.freedesktop.Notifications"),
    )
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
