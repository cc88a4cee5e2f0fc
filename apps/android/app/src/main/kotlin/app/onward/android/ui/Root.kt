package app.onward.android.ui

import androidx.activity.compose.BackHandler
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Home
import androidx.compose.material.icons.filled.List
import androidx.compose.material.icons.filled.Search
import androidx.compose.material.icons.filled.Share
import androidx.compose.material.icons.filled.Star
import androidx.compose.material3.Icon
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.vector.ImageVector
import app.onward.model.AppModel
import app.onward.model.Destination
import app.onward.model.Navigator

private val tabIcons: Map<Destination, ImageVector> = mapOf(
    Destination.TODAY to Icons.Filled.Home,
    Destination.PIPELINE to Icons.Filled.List,
    Destination.SEARCH to Icons.Filled.Search,
    Destination.INSIGHTS to Icons.Filled.Star,
    Destination.SYNC to Icons.Filled.Share,
)

/** The bottom bar and the current screen, as the navigator says. */
@Composable
fun OnwardRoot(app: AppModel) {
    val routes by app.navigator.routes.collectAsState()
    val route = routes.last()
    BackHandler(enabled = routes.size > 1) { app.navigator.back() }
    Scaffold(
        bottomBar = {
            NavigationBar {
                for (tab in Navigator.TABS) {
                    NavigationBarItem(
                        selected = routes.first().destination == tab,
                        onClick = { app.navigator.tab(tab) },
                        // The label is the accessible name; the icon is decoration.
                        icon = { Icon(tabIcons.getValue(tab), contentDescription = null) },
                        label = { Text(tab.title) },
                    )
                }
            }
        },
    ) { padding ->
        Box(Modifier.padding(padding)) {
            when (route.destination) {
                Destination.TODAY -> TodayScreen(app)
                Destination.PIPELINE -> PipelineScreen(app)
                Destination.SEARCH -> SearchScreen(app)
                Destination.INSIGHTS -> InsightsScreen(app)
                Destination.SYNC -> SyncScreen(app)
                Destination.LOG_APPLICATION -> ApplicationScreen(app)
                Destination.LOG_INTERVIEW -> InterviewScreen(app, route.id)
                Destination.LOG_REJECTION -> RejectionScreen(app, route.id)
                Destination.WRITE_ENTRY -> EntryScreen(app)
                Destination.STEP_BACK -> StepBackScreen(app)
                Destination.GROWTH -> GrowthScreen(app, route.id)
                Destination.DETAIL -> DetailScreen(app, route.id)
                Destination.SETTINGS -> SettingsScreen(app)
            }
        }
    }
}
