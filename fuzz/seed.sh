#!/usr/bin/env bash
# Seed the fuzz corpora from the test corpora: recipes (good and bad), .reg files written by
# `fixgen build --target reg`, and scripts signed by `fixgen sign` (RSA and P-256 keys made here
# with openssl). Usage: fuzz/seed.sh   (from anywhere; needs openssl; builds the fixgen binary)
set -euo pipefail
cd "$(dirname "$0")"
root=..
cargo build --quiet --manifest-path "$root/Cargo.toml" --bin fixgen
fixgen="$root/target/debug/fixgen"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p corpus/recipe corpus/regfile corpus/signature corpus/sigblock

# Recipes: the shipped bundle, the bad-input corpus, the bad bundles.
find "$root/recipes" "$root/tests/bad" "$root/tests/bad_bundles" -name '*.yaml' -o -name '*.yml' |
  while read -r f; do cp "$f" "corpus/recipe/$(sha256sum "$f" | cut -c1-16).yaml"; done

# .reg files: what the writer produces for the L2TP bundle, plus any .reg file in tests/.
"$fixgen" build --target reg --out "$work/dist" >/dev/null
find "$work/dist" "$root/tests" -name '*.reg' |
  while read -r f; do cp "$f" "corpus/regfile/$(sha256sum "$f" | cut -c1-16).reg"; done

# Signed scripts: RSA-2048 and P-256 code-signing certificates, every generated script.
for alg in rsa ec; do
  if [ $alg = rsa ]; then opt=(-newkey rsa:2048); else opt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); fi
  openssl req -x509 "${opt[@]}" -nodes -days 30 -subj "/CN=fixgen fuzz $alg" \
    -addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" \
    -keyout "$work/$alg.key" -out "$work/$alg.pem" 2>/dev/null
  "$fixgen" build --target scripts,module --out "$work/signed-$alg" \
    --cert "$work/$alg.pem" --key "$work/$alg.key" >/dev/null
  find "$work/signed-$alg" -name '*.ps*1' -o -name '*.p7s' |
    while read -r f; do cp "$f" "corpus/signature/$(sha256sum "$f" | cut -c1-16).$alg"; done
done
# Block search: the signed scripts, plus scripts with marker lines where no block may be.
cp corpus/signature/*.rsa corpus/signature/*.ec corpus/sigblock/ 2>/dev/null || true
printf 'Write-Output 1\r\n# SIG # Begin signature block\r\nWrite-Output 2\r\n' >corpus/sigblock/mid.ps1
printf 'x\r\n# SIG # End signature block\r\n' >corpus/sigblock/end.ps1
printf '\xff\xfex\x00\r\x00\n\x00#\x00 \x00S\x00I\x00G\x00' >corpus/sigblock/utf16.ps1
for t in recipe regfile signature sigblock; do echo "$t: $(ls corpus/$t | wc -l) seeds"; done
