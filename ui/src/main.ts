import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { ApiClient } from "./api/client";
import { apiBaseUrl, damagedDatabase } from "./platform";
import { app } from "./state.svelte";
import { session } from "./auth.svelte";
import Login from "./pages/Login.svelte";
import RestoreDatabase from "./pages/RestoreDatabase.svelte";

async function boot(): Promise<void> {
  // The desktop app found its database damaged: it runs nothing and offers a backup.
  const damaged = await damagedDatabase();
  if (damaged) {
    mount(RestoreDatabase, { target: document.getElementById("app")!, props: { damaged } });
    return;
  }
  let baseUrl: string;
  try {
    baseUrl = await apiBaseUrl();
  } catch (err) {
    // Still show the pages: the status bar will say that Switchboard cannot be reached.
    console.error("could not learn where the API is", err);
    baseUrl = window.location.origin;
  }
  // From another computer on the office network the pages need a login first.
  const info = await session.load(baseUrl);
  if (info.login_required && !info.user) {
    mount(Login, { target: document.getElementById("app")! });
    return;
  }
  app.start(
    new ApiClient({
      baseUrl,
      csrfToken: info.csrf_token,
      // The session ended (eight idle hours, or a password change): back to the login.
      onLoginRequired: () => location.reload(),
    }),
  );
  mount(App, { target: document.getElementById("app")! });
}

void boot();
