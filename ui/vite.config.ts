import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// `npm run dev` proxies the API to a running `switchboard serve --http 127.0.0.1:8080`
// (override with SWITCHBOARD_API), so the dev page talks to a real PBX.
const api = process.env.SWITCHBOARD_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [svelte()],
  // Relative asset paths: the same build is served at `/` by the binary and loaded
  // from disk by the desktop window.
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": { target: api, ws: true, changeOrigin: true },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
