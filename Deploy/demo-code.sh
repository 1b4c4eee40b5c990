#!/usr/bin/env bash
# The demo accounts' second-factor code of now: what an authenticator app set up with the demo's
# secret would show. The secret is public (DemoData.secondFactorSecret), for the demo on a local
# machine only. Usage: bash Deploy/demo-code.sh
set -euo pipefail
python3 - <<'PYTHON'
import base64, hashlib, hmac, struct, time
secret = base64.b32decode("DEMOAPDEMOAPDEMOAPDEMOAPDEMOAP22")
step = int(time.time() // 30)
mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
offset = mac[-1] & 0x0F
value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
print(f"{value % 1_000_000:06d}   (good for {30 - int(time.time()) % 30} more seconds, and the 30 after; each code works once)")
PYTHON
