package app.onward.android

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import app.onward.SecretStore
import app.onward.SecretStoreException
import java.io.File
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * This phone's sync keys, each in a file in [dir] (no-backup storage, so they never
 * leave the phone in a cloud backup) sealed with AES-GCM under a key that lives in the
 * Android Keystore and can't be taken out of it. The journal file never holds them.
 * A file is `nonce (12) || ciphertext`, with the secret's name as associated data so a
 * file can't be swapped for another's.
 */
class KeystoreSecretStore(private val dir: File) : SecretStore {
    override fun load(name: String): ByteArray? = guarded {
        val file = fileOf(name)
        if (!file.exists()) return@guarded null
        val sealed = file.readBytes()
        if (sealed.size <= NONCE_BYTES) throw SecretStoreException.Failed("the stored key $name is damaged")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES))
        cipher.updateAAD(name.toByteArray())
        cipher.doFinal(sealed, NONCE_BYTES, sealed.size - NONCE_BYTES)
    }

    override fun save(name: String, secret: ByteArray) = guarded {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        // The Keystore picks the nonce (it refuses caller-chosen ones for GCM).
        cipher.init(Cipher.ENCRYPT_MODE, key())
        cipher.updateAAD(name.toByteArray())
        val sealed = cipher.iv + cipher.doFinal(secret)
        dir.mkdirs()
        // Written beside, then renamed: a crash never leaves half a key.
        val tmp = File(dir, "$name.tmp")
        tmp.writeBytes(sealed)
        if (!tmp.renameTo(fileOf(name))) throw SecretStoreException.Failed("couldn't store the key $name")
    }

    override fun delete(name: String) = guarded {
        fileOf(name).delete()
        Unit
    }

    private fun fileOf(name: String): File {
        // Names come from the core (letters, digits, dashes); anything else is refused
        // rather than turned into a path.
        if (name.isEmpty() || !name.all { it.isLetterOrDigit() || it == '-' }) {
            throw SecretStoreException.Failed("$name is not a key's name")
        }
        return File(dir, "$name.sealed")
    }

    /** The Keystore's wrapping key, made on first use. */
    private fun key(): SecretKey {
        val keystore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
        (keystore.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return generator.generateKey()
    }

    /** Keystore and file errors become the store's error, which sync reports in words. */
    private fun <T> guarded(block: () -> T): T = try {
        block()
    } catch (e: SecretStoreException) {
        throw e
    } catch (e: GeneralSecurityException) {
        throw SecretStoreException.Failed("the phone's keystore refused: ${e.message}")
    } catch (e: java.io.IOException) {
        throw SecretStoreException.Failed("the key file couldn't be used: ${e.message}")
    }

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "onward-sync-keys"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val NONCE_BYTES = 12
        const val TAG_BITS = 128
    }
}
