import CoreImage.CIFilterBuiltins
import OnwardModel
import SwiftUI
import VisionKit

/// Your devices: turn sync on (the code as a QR code and text), join by scanning or
/// pasting, the status checked with the relay, and the lock.
struct SyncView: View {
    let app: AppModel
    @State private var scanning = false
    var body: some View {
        @Bindable var sync = app.sync
        Form {
            Section {
                Text(sync.statusLine).accessibilityLabel("Sync status: \(sync.statusLine)")
                if let last = sync.lastRound { Text(last).font(.caption) }
                ProblemNote(problem: sync.problem)
            }
            if sync.enabled == true {
                if let code = sync.pairingCode {
                    Section("Add another device: scan this there, or copy the code") {
                        if let image = qrImage(code) {
                            Image(uiImage: image).interpolation(.none).resizable().scaledToFit().frame(width: 220, height: 220)
                                .accessibilityLabel("Pairing code as a QR code")
                        }
                        Text(code).textSelection(.enabled).font(.footnote.monospaced())
                        Button("Copy the code") { UIPasteboard.general.string = code }
                    }
                }
                Button("Sync now") { Task { await sync.syncNow() } }.disabled(sync.working)
                Toggle("Keep in sync in the background", isOn: Binding(
                    get: { sync.background },
                    set: { on in if on { Task { await sync.startBackground() } } else { sync.stopBackground() } }))
                Button("Turn sync off") { Task { await sync.disable() } }
                    .accessibilityLabel("Turn sync off on this phone; your entries stay")
            } else if sync.enabled == false {
                Section("Start here: your relay's address") {
                    TextField("Relay address", text: $sync.relayAddress).textInputAutocapitalization(.never).keyboardType(.URL)
                    Button("Turn sync on") { Task { await sync.enable() } }
                }
                Section("Or join your other device's journal") {
                    if DataScannerViewController.isSupported {
                        Button("Scan its code") { scanning = true }.accessibilityLabel("Scan the pairing code with the camera")
                    }
                    TextField("Or paste the code", text: $sync.joinCode)
                    Button("Paste") { if let text = UIPasteboard.general.string { sync.joinCode = text } }
                    Button("Join") { Task { await sync.join() } }
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
                Task { await sync.join() }
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
