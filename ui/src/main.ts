import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { ApiClient } from "./api/client";
import { apiBaseUrl } from "./platform";
import { app } from "./state.svelte";

async function boot(): Promise<void> {
  const baseUrl = await apiBaseUrl();
  app.start(new ApiClient({ baseUrl }));
  mount(App, { target: document.getElementById("app")! });
}

void boot();
