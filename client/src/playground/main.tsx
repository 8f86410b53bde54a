import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { graphqlWsUrl } from '../graphql/connection';
import { exampleTabs, kindExampleTabs } from './examples';
import './playground.css';
import { fetchTaskKinds } from './task-kinds';

const url = `${window.location.origin}/graphql`;
// Queries and mutations over HTTP, subscriptions over graphql-ws, both on this page's own server.
const fetcher = createGraphiQLFetcher({ url, subscriptionUrl: graphqlWsUrl(window.location) });

// The fixed examples, then one per kind the service runs now (GraphiQL opens with them when it has
// no tabs of a visit before).
const kindTabs = kindExampleTabs(await fetchTaskKinds(url));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultTabs={[...exampleTabs, ...kindTabs]} defaultEditorToolsVisibility />
  </StrictMode>,
);
