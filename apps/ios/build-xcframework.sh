#!/usr/bin/env bash
# Builds the Rust library (onward-ffi) for iPhone and the simulators, packs it into
# apps/ios/build/OnwardFFI.xcframework, and generates the Swift bindings into
# apps/ios/Sources/OnwardModel/Generated/. Run on a Mac with Xcode and rustup:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   apps/ios/build-xcframework.sh            # release build; --debug for a debug one
# Then open apps/ios/Package.swift in Xcode and run the Onward app.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
profile=release
cargo_profile=(--release)
if [ "${1:-}" = "--debug" ]; then profile=debug; cargo_profile=(); fi

out=$root/apps/ios/build
mkdir -p "$out"

for triple in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  echo "Building onward-ffi for $triple ($profile)…"
  cargo build -p onward-ffi --lib "${cargo_profile[@]}" --target "$triple"
done

# The bindings, generated from the host build's metadata (the same crate and version).
cargo build -p onward-ffi "${cargo_profile[@]}"
generated=$(mktemp -d)
"$target/$profile/uniffi-bindgen" generate --library "$target/$profile/libonward_ffi.dylib" \
  --config uniffi.toml --language swift --out-dir "$generated"
mkdir -p apps/ios/Sources/OnwardModel/Generated
cp "$generated/Onward.swift" apps/ios/Sources/OnwardModel/Generated/

# Headers and module map for the C side, as the XCFramework carries them.
headers=$out/headers
rm -rf "$headers" && mkdir -p "$headers"
cp "$generated/OnwardFFI.h" "$headers/"
cp "$generated/OnwardFFI.modulemap" "$headers/module.modulemap"
rm -rf "$generated"

# One library per platform: the two simulator architectures together.
lipo -create \
  "$target/aarch64-apple-ios-sim/$profile/libonward_ffi.a" \
  "$target/x86_64-apple-ios/$profile/libonward_ffi.a" \
  -output "$out/libonward_ffi-simulator.a"

rm -rf "$out/OnwardFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$target/aarch64-apple-ios/$profile/libonward_ffi.a" -headers "$headers" \
  -library "$out/libonward_ffi-simulator.a" -headers "$headers" \
  -output "$out/OnwardFFI.xcframework"
echo "Built apps/ios/build/OnwardFFI.xcframework and the Swift bindings. Open apps/ios/Package.swift in Xcode and run Onward."
