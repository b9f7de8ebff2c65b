import { mount, unmount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { connect } from './lib/connect.js';

const connection = connect();
const target = document.getElementById('app')!;

let app = mount(App, { target, props: { api: connection.api } });

// Browser mode: if the server goes away, say so in the status bar instead of failing silently.
connection.transport?.onStateChange((state, reason) => {
  if (state !== 'closed') return;
  void unmount(app);
  app = mount(App, {
    target,
    props: {
      api: connection.api,
      connectionProblem: `Connection to Cardbench lost (${reason}). Restart \`cardbench web\` and open its new URL.`,
    },
  });
});
