import { render } from 'preact';
import { App } from './app.tsx';
import { takeTokenFromFragment } from './session.ts';
import './style.css';

takeTokenFromFragment();
render(<App />, document.getElementById('app')!);
