package app.onward.android.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

// Calm greens and warm neutrals; no alarm red anywhere (a no is not a failure).
private val Light = lightColorScheme(
    primary = Color(0xFF2F6B5A),
    onPrimary = Color.White,
    secondary = Color(0xFF7A5C3E),
    background = Color(0xFFFBF8F3),
    surface = Color(0xFFFBF8F3),
    error = Color(0xFF8A5A00),
)
private val Dark = darkColorScheme(
    primary = Color(0xFF8FD3BC),
    onPrimary = Color(0xFF00382B),
    secondary = Color(0xFFE2C09E),
    background = Color(0xFF151A18),
    surface = Color(0xFF151A18),
    error = Color(0xFFF2C27A),
)

/** Material 3, light or dark as the system says. */
@Composable
fun OnwardTheme(dark: Boolean = isSystemInDarkTheme(), content: @Composable () -> Unit) =
    MaterialTheme(colorScheme = if (dark) Dark else Light, content = content)
