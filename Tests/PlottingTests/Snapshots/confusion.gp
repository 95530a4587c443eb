# dnb: confusion matrix (accuracy 0.9808)
# Self-contained (all data inline): render with `gnuplot confusion.gp`;
# the image confusion.png is written next to this script.
reset
set encoding utf8
set terminal pngcairo size 620,560 font 'DejaVu Sans,10' noenhanced
# ARG0 is this script's path as gnuplot was given it; keep its directory part.
dnb_dir = exists('ARG0') ? ARG0 : ''
dnb_i = strlen(dnb_dir)
while (dnb_i > 0 && dnb_dir[dnb_i:dnb_i] ne '/') { dnb_i = dnb_i - 1 }
dnb_dir = dnb_i > 0 ? dnb_dir[1:dnb_i] : ''
set output dnb_dir.'confusion.png'

# counts: row = true class (0 first), column = predicted class
$counts << EOD
950 1 2 3 0 1 2 3 0 1
3 951 1 2 3 0 1 2 3 0
2 3 952 1 2 3 0 1 2 3
1 2 3 953 1 2 3 0 1 2
0 1 2 3 954 1 2 3 0 40
3 0 1 2 3 955 1 2 3 0
2 3 0 1 2 3 956 1 2 3
1 2 3 0 1 2 3 957 1 2
0 1 2 3 0 1 2 3 958 1
3 0 1 2 3 0 1 2 3 959
EOD
# labels: predicted, true, count, text colour (24-bit RGB)
$labels << EOD
0 0 950 16777215
1 0 1 0
2 0 2 0
3 0 3 0
4 0 0 0
5 0 1 0
6 0 2 0
7 0 3 0
8 0 0 0
9 0 1 0
0 1 3 0
1 1 951 16777215
2 1 1 0
3 1 2 0
4 1 3 0
5 1 0 0
6 1 1 0
7 1 2 0
8 1 3 0
9 1 0 0
0 2 2 0
1 2 3 0
2 2 952 16777215
3 2 1 0
4 2 2 0
5 2 3 0
6 2 0 0
7 2 1 0
8 2 2 0
9 2 3 0
0 3 1 0
1 3 2 0
2 3 3 0
3 3 953 16777215
4 3 1 0
5 3 2 0
6 3 3 0
7 3 0 0
8 3 1 0
9 3 2 0
0 4 0 0
1 4 1 0
2 4 2 0
3 4 3 0
4 4 954 16777215
5 4 1 0
6 4 2 0
7 4 3 0
8 4 0 0
9 4 40 0
0 5 3 0
1 5 0 0
2 5 1 0
3 5 2 0
4 5 3 0
5 5 955 16777215
6 5 1 0
7 5 2 0
8 5 3 0
9 5 0 0
0 6 2 0
1 6 3 0
2 6 0 0
3 6 1 0
4 6 2 0
5 6 3 0
6 6 956 16777215
7 6 1 0
8 6 2 0
9 6 3 0
0 7 1 0
1 7 2 0
2 7 3 0
3 7 0 0
4 7 1 0
5 7 2 0
6 7 3 0
7 7 957 16777215
8 7 1 0
9 7 2 0
0 8 0 0
1 8 1 0
2 8 2 0
3 8 3 0
4 8 0 0
5 8 1 0
6 8 2 0
7 8 3 0
8 8 958 16777215
9 8 1 0
0 9 3 0
1 9 0 0
2 9 1 0
3 9 2 0
4 9 3 0
5 9 0 0
6 9 1 0
7 9 2 0
8 9 3 0
9 9 959 16777215
EOD

set title 'confusion matrix (accuracy 0.9808)' font ',12'
set xlabel 'predicted'
set ylabel 'true'
set size ratio -1
set xrange [-0.5:9.5]
# True class 0 at the top, as in Keras / scikit-learn displays.
set yrange [9.5:-0.5]
set xtics 1 scale 0
set ytics 1 scale 0
set cbrange [0:959]
set cblabel 'count'
set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')
unset key
plot $counts matrix with image, \
     $labels using 1:2:3:4 with labels textcolor rgb variable
unset output
