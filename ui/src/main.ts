import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { ApiClient } from "./api/client";
import { apiBaseUrl } from "./platform";
import { app } from "./state.svelte";

async function boot(): Promise<void> {
  let baseUrl: string;
  try {
    baseUrl = await apiBaseUrl();
  } catch (err) {
    // Still show the pages: the status bar will say that Switchboard cannot be reached.
    console.error("could not learn where the API is", err);
    baseUrl = window.location.origin;
  }
  app.start(new ApiClient({ baseUrl }));
  mount(App, { target: document.getElementById("app")! });
}

void boot();
