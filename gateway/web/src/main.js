import { createApp } from 'vue';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { router } from './router.js';
import { elements } from './elements.js';
import './style.css';

dayjs.locale('zh-cn');

const app = createApp(App);
elements(app);
app.use(router);
app.mount('#app');
