// Entry point: global styles, the API connection, the app.
import { mount } from 'svelte';
import './styles/app.css';
import App from './App.svelte';
import { getApi } from './lib/api.ts';
import { AppState } from './lib/app-state.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
const state = new AppState(getApi());
mount(App, { target, props: { app: state } });
void state.start();
