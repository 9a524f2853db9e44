#!/usr/bin/env bash
# Rebuilds src/public/page/vendor/bls.js: the BLS12-381 signature check that
# index.html runs in the reader's browser to verify a drand quicknet round.
#
# In a temporary directory this installs exact, integrity-checked versions of
# @noble/curves, @noble/hashes and esbuild from the npm registry, bundles a
# small entry file into one minified classic-script IIFE, and writes it with a
# header (provenance and the MIT licences of the bundled packages) to
# src/public/page/vendor/bls.js. Running it twice gives a byte-identical file.
#
# Usage: bash scripts/vendor-bls.sh
# Needs: node (>= 20.19) and npm, and access to the npm registry.
set -euo pipefail

CURVES_VERSION=2.4.0
HASHES_VERSION=2.4.0
ESBUILD_VERSION=0.28.2
# `npm view <pkg>@<version> dist.integrity`; checked against what npm installed.
CURVES_INTEGRITY='sha512-P4/62zrgfH33CneE3Dn4WhJVA22YUU0eR51wKIan4NVRvwsA0YnPTwWGpNbpuacSujmSFLvyzpyuR30+fbq2Ew=='
HASHES_INTEGRITY='sha512-X5XaVWZIBCT7HHZGm5I7ZQXDwLG+bGXuSrMQAW+7Zvl87h1kmc1ZB1VSRJcpUfoUrGQp4Fkoxm5kZ+Ms+aW+eA=='
ESBUILD_INTEGRITY='sha512-HKVLS8dvII+xoKW9kmqxbRKrnWEXfJJr/FZhhJmiqIB0e053QNYFqOBouTMO/k5sID4MvCiUCvv8b9M4h32wIA=='

# Quicknet's group public key, copied from QUICKNET_PUBLIC_KEY_HEX in
# src/seed/beacon.rs (checked against that file below).
QUICKNET_PUBLIC_KEY_HEX=83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/src/public/page/vendor/bls.js"

if ! grep -q "QUICKNET_PUBLIC_KEY_HEX: &str = \"$QUICKNET_PUBLIC_KEY_HEX\"" "$root/src/seed/beacon.rs"; then
  echo "vendor-bls.sh: the quicknet key here differs from src/seed/beacon.rs" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > package.json <<JSON
{
  "name": "spotcheck-vendor-bls",
  "private": true,
  "version": "0.0.0",
  "dependencies": {
    "@noble/curves": "$CURVES_VERSION",
    "@noble/hashes": "$HASHES_VERSION",
    "esbuild": "$ESBUILD_VERSION"
  }
}
JSON

# --ignore-scripts: esbuild's binary comes from its platform package
# (@esbuild/<platform>), so its install script is not needed.
npm install --save-exact --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null

# Check the exact versions and tarball hashes that were installed.
node - "$CURVES_VERSION" "$CURVES_INTEGRITY" "$HASHES_VERSION" "$HASHES_INTEGRITY" \
  "$ESBUILD_VERSION" "$ESBUILD_INTEGRITY" <<'JS'
const lock = JSON.parse(require('fs').readFileSync('package-lock.json', 'utf8'));
const [cv, ci, hv, hi, ev, ei] = process.argv.slice(2);
const want = [['@noble/curves', cv, ci], ['@noble/hashes', hv, hi], ['esbuild', ev, ei]];
let bad = false;
for (const [name, version, integrity] of want) {
  const p = lock.packages['node_modules/' + name];
  if (!p || p.version !== version || p.integrity !== integrity) {
    console.error(`vendor-bls.sh: ${name} is ${p && p.version} (${p && p.integrity}), expected ${version} (${integrity})`);
    bad = true;
  }
}
for (const key of Object.keys(lock.packages)) {
  if (key.startsWith('node_modules/@noble/') && !want.some(([n]) => key === 'node_modules/' + n)) {
    console.error(`vendor-bls.sh: unexpected package ${key}`);
    bad = true;
  }
}
if (bad) process.exit(1);
JS

cat > entry.js <<JS
// Entry point bundled into src/public/page/vendor/bls.js.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';

const PUBLIC_KEY_HEX = '$QUICKNET_PUBLIC_KEY_HEX';
const DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
const short = bls12_381.shortSignatures;
let publicKey = null;

// The round as an unsigned 64-bit integer, or null: a safe non-negative
// integer Number, a non-negative BigInt, or a string of decimal digits.
function roundValue(round) {
  let r = null;
  if (typeof round === 'number' && Number.isSafeInteger(round) && round >= 0) r = BigInt(round);
  else if (typeof round === 'bigint') r = round;
  else if (typeof round === 'string' && /^[0-9]{1,20}\$/.test(round)) r = BigInt(round);
  return r !== null && r >= 0n && r < (1n << 64n) ? r : null;
}

// True when signatureHex (96 hex digits: a compressed G1 point) is a valid
// quicknet (bls-unchained-g1-rfc9380) signature on the round. Never throws.
function verifyQuicknet(round, signatureHex) {
  try {
    const r = roundValue(round);
    if (r === null || typeof signatureHex !== 'string' || !/^[0-9a-fA-F]{96}\$/.test(signatureHex)) {
      return false;
    }
    const roundBytes = new Uint8Array(8);
    new DataView(roundBytes.buffer).setBigUint64(0, r, false);
    const message = short.hash(sha256(roundBytes), DST);
    const signature = short.Signature.fromHex(signatureHex.toLowerCase());
    if (publicKey === null) publicKey = bls12_381.G2.Point.fromBytes(hexToBytes(PUBLIC_KEY_HEX));
    return short.verify(signature, message, publicKey) === true;
  } catch (e) {
    return false;
  }
}

window.spotcheckBls = Object.freeze({ verifyQuicknet });
JS

./node_modules/.bin/esbuild entry.js --bundle --format=iife --platform=browser \
  --target=es2020 --minify --legal-comments=none --charset=ascii --log-level=warning \
  --outfile=bundle.js

if grep -Eq '\beval\(|new Function|WebAssembly|import\(|fetch\(|XMLHttpRequest' bundle.js; then
  echo "vendor-bls.sh: the bundle uses eval, Function, WebAssembly or the network" >&2
  exit 1
fi
# It is inlined in a <script> element and follows a /* */ header comment.
if grep -Eqi '</script|<!--' bundle.js || grep -q '\*/' node_modules/@noble/*/LICENSE; then
  echo "vendor-bls.sh: the bundle or a licence cannot be inlined as is" >&2
  exit 1
fi

licence() {
  # One licence file's text inside the header comment.
  # (awk also ends a last line that has no newline).
  awk '{ sub(/[ \t\r]+$/, ""); if ($0 == "") print " *"; else print " * " $0 }' "$1"
}

{
  echo '/*'
  echo ' * spotcheck: vendored BLS12-381 signature check for drand quicknet rounds.'
  echo ' *'
  echo ' * Defines one global, window.spotcheckBls = { verifyQuicknet(round, signatureHex) },'
  echo ' * which returns true only when signatureHex (96 hex digits, a compressed'
  echo ' * BLS12-381 G1 point) is a valid bls-unchained-g1-rfc9380 signature on'
  echo ' * SHA-256(round as 8 big-endian bytes) under the pinned quicknet group public'
  echo ' * key; it returns false, never throws, on bad input.'
  echo ' *'
  echo " * Bundled packages (npm): @noble/curves $CURVES_VERSION, @noble/hashes $HASHES_VERSION"
  echo " * (bundler: esbuild $ESBUILD_VERSION, not included)."
  echo ' * Made by: bash scripts/vendor-bls.sh  (do not edit by hand).'
  echo ' *'
  echo " * @noble/curves $CURVES_VERSION, LICENSE:"
  echo ' *'
  licence node_modules/@noble/curves/LICENSE
  echo ' *'
  echo " * @noble/hashes $HASHES_VERSION, LICENSE:"
  echo ' *'
  licence node_modules/@noble/hashes/LICENSE
  echo ' */'
  cat bundle.js
} > "$out.tmp"
mv "$out.tmp" "$out"

echo "wrote $out ($(wc -c < "$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1))"
