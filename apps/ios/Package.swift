// swift-tools-version: 5.9
// Onward for iPhone: a SwiftUI app (an iOS app product, opened in Xcode or Swift
// Playgrounds) on an observable model layer (OnwardModel) over the generated Swift
// bindings and an XCFramework of the Rust library. Build those first:
//   apps/ios/build-xcframework.sh
import AppleProductTypes
import PackageDescription

let package = Package(
    name: "Onward",
    platforms: [.iOS("17.0")],
    products: [
        .iOSApplication(
            name: "Onward",
            targets: ["OnwardApp"],
            bundleIdentifier: "app.onward",
            displayVersion: "0.1.0",
            bundleVersion: "1",
            appIcon: .placeholder(icon: .leaf),
            accentColor: .presetColor(.teal),
            supportedDeviceFamilies: [.phone, .pad],
            supportedInterfaceOrientations: [.portrait, .landscapeLeft, .landscapeRight],
            capabilities: [
                .faceID(purposeString: "Onward can keep your journal locked until Face ID says it's you."),
                .camera(purposeString: "Scan the invitation shown on your other device."),
            ]
        ),
    ],
    targets: [
        // The Rust library for device and simulator (built by build-xcframework.sh).
        .binaryTarget(name: "OnwardFFI", path: "build/OnwardFFI.xcframework"),
        // The generated bindings (Generated/Onward.swift, from build-xcframework.sh) and
        // the screens' observable models: same module, so the error enum reads as is.
        .target(name: "OnwardModel", dependencies: ["OnwardFFI"], path: "Sources/OnwardModel"),
        .executableTarget(name: "OnwardApp", dependencies: ["OnwardModel"], path: "Sources/OnwardApp"),
        // The model's tests (Xcode, an iOS simulator; the sync ones need ONWARD_TEST_RELAY).
        .testTarget(name: "OnwardModelTests", dependencies: ["OnwardModel"], path: "Tests/OnwardModelTests"),
    ]
)
