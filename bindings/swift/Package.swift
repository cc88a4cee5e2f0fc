// swift-tools-version:5.9
// The Onward bindings for Swift. `bindings/run-tests` generates Sources/Onward/Onward.swift
// and Sources/OnwardFFI/ (the C header and module map) from the Rust library; then, on
// macOS: `cd bindings/swift && swift test`.
import Foundation
import PackageDescription

// Where cargo put libonward_ffi (bindings/run-tests builds it).
let cargoTarget = ProcessInfo.processInfo.environment["CARGO_TARGET_DIR"] ?? "../../target"
let libraryDir = "\(cargoTarget)/debug"

let package = Package(
    name: "Onward",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [.library(name: "Onward", targets: ["Onward"])],
    targets: [
        // The C declarations of the FFI: a header and its module map, generated.
        .systemLibrary(name: "OnwardFFI", path: "Sources/OnwardFFI"),
        .target(
            name: "Onward",
            dependencies: ["OnwardFFI"],
            path: "Sources/Onward",
            linkerSettings: [
                .linkedLibrary("onward_ffi"),
                .unsafeFlags(["-L\(libraryDir)", "-Xlinker", "-rpath", "-Xlinker", libraryDir]),
            ]
        ),
        .testTarget(name: "OnwardTests", dependencies: ["Onward"], path: "Tests/OnwardTests"),
    ]
)
