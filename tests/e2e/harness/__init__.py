"""End-to-end test harness: real SIP phones (pjsua2, baresip) and the switchboard daemon."""
