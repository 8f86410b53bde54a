import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApolloClient } from '../graphql/apollo';
import { createAuth } from '../graphql/auth';
import { createConnection, graphqlWsUrl } from '../graphql/connection';
import { App } from './App';
import './styles.css';

const auth = createAuth();
const connection = createConnection(graphqlWsUrl(window.location), auth);
const client = createApolloClient(connection, auth);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <App connection={connection} auth={auth} />
    </ApolloProvider>
  </StrictMode>,
);
