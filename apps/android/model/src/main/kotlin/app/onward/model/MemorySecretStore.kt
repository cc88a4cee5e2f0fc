package app.onward.model

import app.onward.SecretStore
import java.util.concurrent.ConcurrentHashMap

/**
 * This device's sync keys in memory only: for tests and previews, where a journal
 * lives as long as the process. The phone app passes its Keystore-backed store
 * (apps/android/app, KeystoreSecretStore) instead: keys kept here are gone with the
 * process, and a journal that syncs can't sync after a restart without them.
 */
class MemorySecretStore : SecretStore {
    private val secrets = ConcurrentHashMap<String, ByteArray>()

    /** How many secrets are kept (for tests that check where the keys went). */
    val size: Int get() = secrets.size

    /** Every secret kept, copied (for tests that look for them in the journal file). */
    fun all(): List<ByteArray> = secrets.values.map { it.copyOf() }

    override fun load(name: String): ByteArray? = secrets[name]?.copyOf()

    override fun save(name: String, secret: ByteArray) {
        secrets[name] = secret.copyOf()
    }

    override fun delete(name: String) {
        secrets.remove(name)
    }
}
