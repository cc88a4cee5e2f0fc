import CoreImage.CIFilterBuiltins
import OnwardModel
import SwiftUI
import VisionKit

/// Your devices: turn sync on, show an invitation (QR code and text) to add one, join
/// by an invitation after seeing what it joins, the device list (remove a lost phone),
/// leave, and the recovery kit when asked for. Codes and kits never go to the
/// pasteboard, and are hidden from the app switcher's snapshot.
struct SyncView: View {
    let app: AppModel
    @State private var scanning = false
    @Environment(\.scenePhase) private var phase
    var body: some View {
        @Bindable var sync = app.sync
        // iOS can't keep a screen out of screenshots; at least the app switcher's
        // snapshot shows no code or kit.
        let hidden = phase != .active
        Form {
            Section {
                Text(sync.statusLine).accessibilityLabel("Sync status: \(sync.statusLine)")
                if let last = sync.lastRound { Text(last).font(.caption) }
                if let notice = sync.notice {
                    Text(notice)
                    Button("OK") { sync.dismissNotice() }.accessibilityLabel("Dismiss: \(notice)")
                }
                ProblemNote(problem: sync.problem)
            }
            if sync.enabled == true {
                if let invitation = sync.invitation {
                    Section("Scan this on your other device. It works once, until \(invitation.expiresAt.formatted(date: .omitted, time: .shortened)).") {
                        if !hidden, let image = qrImage(invitation.code) {
                            Image(uiImage: image).interpolation(.none).resizable().scaledToFit().frame(width: 220, height: 220)
                                .accessibilityLabel("Invitation as a QR code")
                        }
                        Text(hidden ? "Hidden while Onward is in the background" : invitation.code).font(.footnote.monospaced())
                        Button("Done") { sync.hideInvitation() }.accessibilityLabel("Put the invitation away")
                    }
                    .task(id: invitation.code) {
                        while sync.invitation != nil, !Task.isCancelled {
                            try? await Task.sleep(for: .seconds(3))
                            await sync.putAwayIfDone()
                        }
                    }
                } else {
                    Button("Add a device") { Task { await sync.showInvitation() } }
                        .accessibilityLabel("Show an invitation for another device")
                }
                Section("Devices") {
                    ForEach(sync.devices.filter { !$0.recoveryKit }, id: \.id) { device in
                        HStack {
                            Text(device.thisDevice ? "\(device.name) (this phone)" : device.name)
                            Spacer()
                            if !device.thisDevice {
                                Button("Remove", role: .destructive) { Task { await sync.removeDevice(device) } }
                                    .accessibilityLabel("Remove \(device.name): it can't sync any more")
                            }
                        }
                    }
                }
                Button("Sync now") { Task { await sync.syncNow() } }.disabled(sync.working)
                Toggle("Keep in sync in the background", isOn: Binding(
                    get: { sync.background },
                    set: { on in if on { Task { await sync.startBackground() } } else { sync.stopBackground() } }))
                Section("Recovery kit") {
                    if let kit = sync.recoveryKit {
                        Text(SyncModel.kitWarning)
                        if !hidden, let image = qrImage(kit) {
                            Image(uiImage: image).interpolation(.none).resizable().scaledToFit().frame(width: 220, height: 220)
                                .accessibilityLabel("Recovery kit as a QR code")
                        }
                        Text(hidden ? "Hidden while Onward is in the background" : kit).font(.footnote.monospaced())
                        Button("I've put it somewhere safe") { sync.hideRecoveryKit() }
                    } else {
                        Button("Make a recovery kit") { Task { await sync.showRecoveryKit() } }
                            .accessibilityLabel("Make a recovery kit, for when every device is lost")
                    }
                }
                Button("Leave") { Task { await sync.leave() } }
                    .accessibilityLabel("Take this phone off your devices; your entries stay")
                Button("Turn sync off") { Task { await sync.disable() } }
                    .accessibilityLabel("Turn sync off on this phone; your entries stay")
            } else if sync.enabled == false {
                Section("Start here: your relay's address") {
                    TextField("This phone's name", text: $sync.deviceName)
                    TextField("Relay address", text: $sync.relayAddress).textInputAutocapitalization(.never).keyboardType(.URL)
                    Button("Turn sync on") { Task { await sync.enable() } }
                }
                if let preview = sync.joinPreview {
                    Section("Join this journal?") {
                        Text("It syncs through \(preview.relayUrl), with \(preview.devices.joined(separator: ", ")).")
                        Button("Join") { Task { await sync.confirmJoin() } }
                        Button("Not this one", role: .cancel) { sync.cancelJoin() }
                    }
                } else {
                    Section("Or join your other device's journal") {
                        if DataScannerViewController.isSupported {
                            Button("Scan its invitation") { scanning = true }.accessibilityLabel("Scan the invitation with the camera")
                        }
                        TextField("Or type the invitation", text: $sync.joinCode).textInputAutocapitalization(.characters)
                        Button("Continue") { Task { await sync.previewJoin() } }.accessibilityLabel("See what the invitation joins")
                        Button("Use a recovery kit") { Task { await sync.recover() } }
                            .accessibilityLabel("Bring your journal back from the recovery kit typed above")
                    }
                }
            }
            Section("Privacy") {
                Toggle("Lock with Face ID or your passcode", isOn: Binding(get: { app.lock.enabled }, set: { app.lock.setEnabled($0) }))
            }
        }
        .navigationTitle("Your devices")
        .sheet(isPresented: $scanning) {
            QRScanner { code in
                scanning = false
                sync.joinCode = code
                Task { await sync.previewJoin() }
            }
        }
    }

    private func qrImage(_ text: String) -> UIImage? {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(text.utf8)
        guard let output = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 8, y: 8)),
              let cg = CIContext().createCGImage(output, from: output.extent) else { return nil }
        return UIImage(cgImage: cg)
    }
}

/// The camera, reading one QR code.
struct QRScanner: UIViewControllerRepresentable {
    let found: (String) -> Void

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(recognizedDataTypes: [.barcode(symbologies: [.qr])], isHighlightingEnabled: true)
        scanner.delegate = context.coordinator
        try? scanner.startScanning()
        return scanner
    }

    func updateUIViewController(_ controller: DataScannerViewController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(found: found) }

    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        let found: (String) -> Void
        init(found: @escaping (String) -> Void) { self.found = found }
        func dataScanner(_ scanner: DataScannerViewController, didAdd items: [RecognizedItem], allItems: [RecognizedItem]) {
            for case let .barcode(code) in items {
                if let text = code.payloadStringValue { scanner.stopScanning(); found(text); return }
            }
        }
    }
}
